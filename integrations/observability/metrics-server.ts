import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A process's own metrics port (workers: RELAIS_METRICS_PORT). */
export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Serves `GET /metrics` on its own port with the text that `collect` gives; any other path is a 404. */
export async function startMetricsServer(options: { host: string; port: number; contentType: string; collect: () => Promise<string> }): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    if ((request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    options.collect().then(
      (body) => response.writeHead(200, { 'content-type': options.contentType, 'cache-control': 'no-store' }).end(body),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics unavailable: ${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
