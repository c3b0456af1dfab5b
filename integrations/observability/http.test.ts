import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { observeHttp } from './http';
import { currentRequestId, requestIdFrom } from './request-id';
import { routeMatcher } from './routes';
import { webMetrics } from './web-metrics';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A real HTTP server whose app answers 404 on /missing and its request id elsewhere. */
async function serve(metricsToken?: string): Promise<string> {
  const app: http.RequestListener = (request, response) => {
    if (request.url === '/missing') response.writeHead(404).end();
    else response.writeHead(200, { 'content-type': 'text/plain' }).end(currentRequestId());
  };
  const server = http.createServer(observeHttp(app, { metrics: webMetrics(), routeOf: routeMatcher(['/hello/[name]']), metricsToken }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('observeHttp', () => {
  it('has no /metrics without a token: the app answers for it', async () => {
    const base = await serve();
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).not.toContain('relais_http');
  });

  it('serves /metrics to the bearer of the token only', async () => {
    const base = await serve('s3cret-token-for-tests');
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    await fetch(`${base}/hello/jeanne`);
    await fetch(`${base}/missing`);
    const scrape = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer s3cret-token-for-tests' } });
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(text).toMatch(/relais_http_responses_total\{method="GET",route="\/hello\/\[name\]",status_class="2xx",process_kind="web"\} [1-9]/);
    expect(text).toMatch(/relais_http_responses_total\{method="GET",route="unmatched",status_class="4xx",process_kind="web"\} [1-9]/);
    expect(text).not.toContain('jeanne');
  });

  it('runs each request under its id: a well-formed X-Request-Id is kept, anything else replaced', async () => {
    const base = await serve();
    const kept = await fetch(`${base}/hello/a`, { headers: { 'x-request-id': 'proxy-1234:abc' } });
    expect(kept.headers.get('x-request-id')).toBe('proxy-1234:abc');
    expect(await kept.text()).toBe('proxy-1234:abc');
    const replaced = await fetch(`${base}/hello/a`, { headers: { 'x-request-id': 'x'.repeat(500) } });
    const id = replaced.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await replaced.text()).toBe(id);
  });
});

describe('hostile inputs', () => {
  it('never takes a request id that is not a short run of safe characters', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.stringMatching(/^[A-Za-z0-9._:-]{0,200}$/)), (header) => {
        const id = requestIdFrom(header);
        expect(id).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
        if (id !== header) expect(id).toMatch(/^[0-9a-f-]{36}$/);
      }),
    );
  });

  it('answers /metrics 401 to any authorization but the exact bearer token', async () => {
    const token = 'the-right-token-123456';
    const base = await serve(token);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 80 }), fc.constant(`Bearer ${token} `), fc.constant(`bearer ${token}`), fc.constant(token), fc.constant(`Bearer ${token.slice(0, -1)}`)),
        async (authorization) => {
          // fetch refuses header values with control characters or non-Latin-1 text: those never reach a server as such.
          if (!/^[\x20-\x7e]*$/.test(authorization)) return;
          const response = await fetch(`${base}/metrics`, { headers: { authorization } });
          // HTTP drops the whitespace around a header value.
          expect(response.status).toBe(authorization.trim() === `Bearer ${token}` ? 200 : 401);
          await response.arrayBuffer();
        },
      ),
      { numRuns: 60 },
    );
  });
});
