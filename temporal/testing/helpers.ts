import { randomUUID } from 'node:crypto';
import type { SinkMessage } from '@/dev/mail-sink/mail-sink';
import { env } from '@/domain/env';

/** Every message the sink holds for an address. */
export async function mailTo(address: string): Promise<SinkMessage[]> {
  const response = await fetch(`${env().MAIL_SINK_URL}/messages?to=${encodeURIComponent(address)}`);
  return (await response.json()) as SinkMessage[];
}

/** Waits until the sink holds `count` messages for an address matching a predicate. */
export async function waitForMail(
  address: string,
  predicate: (m: SinkMessage) => boolean = () => true,
  { count = 1, timeoutMs = 20_000 } = {},
): Promise<SinkMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await mailTo(address)).filter(predicate);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`Expected ${count} message(s) for ${address}, found ${found.length}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A unique citizen address, so tests never see each other's mail. */
export function citizenEmail(label = 'citoyen'): string {
  return `${label}-${randomUUID().slice(0, 8)}@exemple.fr`;
}

/** Calls a Next.js route handler the way the framework does. */
export function callRoute<P extends Record<string, string>>(
  handler: (request: Request, context: { params: Promise<P> }) => Promise<Response>,
  params: P,
  init: { method?: string; url?: string; body?: unknown } = {},
): Promise<Response> {
  const request = new Request(init.url ?? 'http://relais.test/api', {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  return handler(request, { params: Promise.resolve(params) });
}
