import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { findTemporalCli } from './cli';
import { startTemporalDevServer } from '@/dev/temporal-dev-server';

const saved = process.env.TEMPORAL_CLI;
afterEach(() => {
  if (saved === undefined) delete process.env.TEMPORAL_CLI;
  else process.env.TEMPORAL_CLI = saved;
});

describe('Temporal CLI provisioning', () => {
  it('uses $TEMPORAL_CLI first and says so when it is not an executable', () => {
    process.env.TEMPORAL_CLI = '/nonexistent/temporal';
    expect(() => findTemporalCli()).toThrow('TEMPORAL_CLI=/nonexistent/temporal is not an executable file.');
  });

  it('finds a CLI on this machine (cached build, PATH or $TEMPORAL_CLI)', () => {
    delete process.env.TEMPORAL_CLI;
    expect(findTemporalCli()).toMatch(/temporal$/);
  });

  it('refuses to start the dev server on a port already taken, naming the variable to change', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(startTemporalDevServer({ cli: findTemporalCli()!, port })).rejects.toThrow(
        `Port ${port} needed by the Temporal dev server is already in use: stop what listens there or set RELAIS_TEMPORAL_PORT to another port.`,
      );
    } finally {
      blocker.close();
    }
  });
});
