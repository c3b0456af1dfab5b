import cluster from 'node:cluster';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import next from 'next';
import { forwardedFor } from '@/domain/antispam/client-address';
import { env } from '@/domain/env';
import { clusterMetricsCollector, serveClusterMetrics } from '@/integrations/observability/cluster-metrics';
import { observeHttp } from '@/integrations/observability/http';
import { appRouteTemplates, routeMatcher } from '@/integrations/observability/routes';
import { webMetrics } from '@/integrations/observability/web-metrics';
import { relaisSecret } from '@/domain/secrets/relais-secret';
import { runWebProcesses } from './cluster/web-processes';

/**
 * Passes each request on with the socket's peer appended to X-Forwarded-For, as a proxy hop does. Route handlers cannot
 * see the socket, and `next start` fills the header only when the client sent none: a client could then pick the
 * address it is limited under. With this, the right-most entry is always the peer (RELAIS_TRUSTED_PROXIES says how
 * many entries, from the right, were added by proxies of our own).
 */
export function withPeerAddress(handler: http.RequestListener): http.RequestListener {
  return (request, response) => {
    request.headers['x-forwarded-for'] = forwardedFor(request.headers['x-forwarded-for'], request.socket.remoteAddress);
    handler(request, response);
  };
}

/** The production web server: the built Next.js app behind withPeerAddress; `-p PORT` and `-H HOST` as `next start`. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', short: 'p' }, hostname: { type: 'string', short: 'H' }, processes: { type: 'string' } } });
  const processes = Number(values.processes ?? 1);
  if (!Number.isInteger(processes) || processes < 1) throw new Error(`--processes takes a whole number of processes, not ${values.processes}`);
  if (processes > 1 && cluster.isPrimary) {
    runWebProcesses(processes);
    serveClusterMetrics();
    return;
  }
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  // Refused here in one line naming the variable, rather than as an error page at the first form shown.
  relaisSecret();
  const app = next({ dev: false, dir: process.cwd(), port, hostname: values.hostname ?? 'localhost' });
  await app.prepare();
  const handle = app.getRequestHandler();
  // Latency per route template, a request id for every request, and /metrics when RELAIS_METRICS_TOKEN is set: in a
  // cluster, whichever process a scrape reaches answers with every process's sums.
  const metrics = webMetrics();
  const observed = observeHttp(withPeerAddress((request, response) => void handle(request, response)), {
    metrics,
    ...(cluster.isWorker ? { collect: clusterMetricsCollector(metrics.registry) } : {}),
    routeOf: routeMatcher(appRouteTemplates(path.join(process.cwd(), 'app'))),
    metricsToken: env().RELAIS_METRICS_TOKEN,
  });
  const server = http.createServer(observed);
  server.listen(port, values.hostname);
  const stop = () => {
    server.close(() => process.exit(0));
    // Idle keep-alive connections would hold close() open; requests under way get a few seconds to finish.
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error('The web server could not start:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
