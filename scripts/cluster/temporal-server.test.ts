import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freeClusterPort, startTemporalCluster, type TemporalClusterOptions } from './temporal-server';

const options = (port: number): TemporalClusterOptions => ({
  binaries: { server: '/nonexistent/server', sqlTool: '/nonexistent/temporal-sql-tool' },
  cli: '/nonexistent/temporal',
  databaseUrl: 'postgresql://relais:relais@127.0.0.1:1/relais',
  root: '/nonexistent',
  port,
  namespace: 'default',
  keywordAttributes: [],
  log: () => undefined,
});

describe('the Temporal server ports', () => {
  it('refuses a frontend port whose membership ports pass the schema’s smallint, naming the variable', async () => {
    // 32,767 is the highest port the server can record; its frontend's HTTP port sits 10 above the gRPC one.
    await expect(startTemporalCluster(options(32_762))).rejects.toThrow(/^RELAIS_TEMPORAL_PORT 32762 is out of range: .* to 32772, .* 32767\.$/);
    await expect(startTemporalCluster(options(200))).rejects.toThrow(/RELAIS_TEMPORAL_PORT 200 is out of range/);
  });

  it('finds a range every port of which is free and within the schema', async () => {
    const port = await freeClusterPort();
    expect(port - 300).toBeGreaterThanOrEqual(1);
    expect(port + 10).toBeLessThanOrEqual(32_767);
    // Taking one of its ports (the matching service's) moves the next pick elsewhere.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port + 2, '127.0.0.1', resolve));
    try {
      expect(await freeClusterPort()).not.toBe(port);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
