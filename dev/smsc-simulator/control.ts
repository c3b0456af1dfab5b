import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { relaisAddress } from '@/integrations/smpp/address';
import type { SmscSimulator, SubmittedMessage } from './simulator.js';

/** The HTTP control port of a running simulator (loopback only): MO injection, recorded submissions, faults. */
export interface SmscControl {
  port: number;
  url: string;
  stop(): Promise<void>;
}

const MoBody = z.object({ from: z.string().min(1).max(32), to: z.string().min(1).max(32), text: z.string().max(2_000) });
const FailBody = z.object({ to: z.string().min(1).max(32) });
const RatioBody = z.object({ ratio: z.number().min(0).max(1) });
const DropBody = z.object({ abrupt: z.boolean().optional() }).default({});
const MAX_BODY = 16_384;

/**
 * Starts the control API: `POST /mo {from,to,text}`, `GET /messages?to=&limit=`, `GET /stats`, `POST /drop {abrupt?}`,
 * `POST /fail {to}`, `POST /failure-ratio {ratio}`. Tests, the CLI (`relais sms:mo`) and /dev/sms use it.
 */
export async function startSmscControl(simulator: SmscSimulator, options: { port?: number; host?: string } = {}): Promise<SmscControl> {
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    handle(simulator, req)
      .then(({ status, body }) => reply(res, status, body))
      .catch((error: Error) => reply(res, error instanceof z.ZodError || error instanceof SyntaxError ? 400 : 500, { error: error.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${host}:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function handle(simulator: SmscSimulator, req: http.IncomingMessage): Promise<{ status: number; body: unknown }> {
  const url = new URL(req.url ?? '/', 'http://smsc');
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /messages': {
      const param = url.searchParams.get('to');
      const to = param ? relaisAddress(param) : undefined;
      const limit = Number(url.searchParams.get('limit') ?? 500);
      const messages: SubmittedMessage[] = to ? simulator.submitted.filter((message) => message.to === to) : simulator.submitted;
      return { status: 200, body: messages.slice(-limit) };
    }
    case 'GET /stats':
      return { status: 200, body: simulator.stats() };
    case 'POST /mo': {
      const mo = MoBody.parse(await readJson(req));
      await simulator.injectMo(mo);
      return { status: 202, body: { injected: true } };
    }
    case 'POST /drop':
      simulator.dropConnections(DropBody.parse(await readJson(req)));
      return { status: 202, body: { dropped: true } };
    case 'POST /fail':
      simulator.failDeliveriesTo(FailBody.parse(await readJson(req)).to);
      return { status: 204, body: undefined };
    case 'POST /failure-ratio':
      simulator.setFailureRatio(RatioBody.parse(await readJson(req)).ratio);
      return { status: 204, body: undefined };
    default:
      return { status: 404, body: { error: `No route ${route}` } };
  }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new SyntaxError('Body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/** Client side of the control API, for tests, the CLI and the development page. */
export function smscControlClient(baseUrl: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    if (!response.ok) throw new Error(`SMSC simulator ${method} ${path} answered ${response.status}: ${await response.text()}`);
    return response.status === 204 ? undefined : ((await response.json()) as unknown);
  };
  return {
    injectMo: (mo: { from: string; to: string; text: string }) => call('POST', '/mo', mo).then(() => undefined),
    messages: async (to?: string) => (await call('GET', `/messages${to ? `?to=${encodeURIComponent(to)}` : ''}`)) as SubmittedMessage[],
    failDeliveriesTo: (to: string) => call('POST', '/fail', { to }).then(() => undefined),
    setFailureRatio: (ratio: number) => call('POST', '/failure-ratio', { ratio }).then(() => undefined),
    dropConnections: (abrupt = false) => call('POST', '/drop', { abrupt }).then(() => undefined),
    stats: () => call('GET', '/stats'),
  };
}
