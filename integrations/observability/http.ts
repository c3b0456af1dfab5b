import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { REQUEST_ID_HEADER, requestIdFrom, withRequestId } from './request-id';
import type { WebMetrics } from './web-metrics';

/** How the web server observes its requests. */
export interface HttpObservationOptions {
  metrics: WebMetrics;
  /** The route template of a path (see routeMatcher). */
  routeOf: (pathname: string) => string;
  /** RELAIS_METRICS_TOKEN: /metrics answers with it as a bearer token, and does not exist without it. */
  metricsToken?: string;
  /** The text /metrics serves: this process's registry unless given (a web cluster's sum, see cluster-metrics). */
  collect?: () => Promise<string>;
}

/**
 * Wraps the web server's handler: each request gets a request id (X-Request-Id kept when a proxy set one, echoed in
 * the response) under which the route runs, its latency and status are counted per route template, and `/metrics`
 * serves the process's registry to a scraper holding the token.
 */
export function observeHttp(handler: http.RequestListener, options: HttpObservationOptions): http.RequestListener {
  const { metrics, routeOf, metricsToken } = options;
  const collect = options.collect ?? (() => metrics.registry.metrics());
  const expected = metricsToken ? Buffer.from(`Bearer ${metricsToken}`) : undefined;
  return (request, response) => {
    const pathname = (request.url ?? '/').split('?')[0];
    if (pathname === '/metrics' && expected) {
      void serveMetrics(request, response, collect, metrics.registry.contentType, expected);
      return;
    }
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    request.headers[REQUEST_ID_HEADER] = requestId;
    response.setHeader(REQUEST_ID_HEADER, requestId);
    const method = knownMethod(request.method);
    response.once('close', () => {
      const route = routeOf(pathname);
      metrics.httpDuration.observe({ method, route }, Number(process.hrtime.bigint() - started) / 1e9);
      // A client that left before the answer was written is counted as such, not under the status it never saw.
      const statusClass = response.writableFinished ? `${Math.floor(response.statusCode / 100)}xx` : 'aborted';
      metrics.httpResponses.inc({ method, route, status_class: statusClass });
    });
    withRequestId(requestId, () => handler(request, response));
  };
}

async function serveMetrics(request: http.IncomingMessage, response: http.ServerResponse, collect: () => Promise<string>, contentType: string, expected: Buffer): Promise<void> {
  const given = Buffer.from(request.headers.authorization ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    response.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain; charset=utf-8' }).end('Jeton de métriques manquant ou invalide.\n');
    return;
  }
  try {
    const body = await collect();
    response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
  } catch (error) {
    response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics unavailable: ${(error as Error).message}\n`);
  }
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

// Any other verb a client invents shares one label.
function knownMethod(method: string | undefined): string {
  return method && METHODS.has(method) ? method : 'OTHER';
}
