import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { processSingleton } from './registry';

/** The HTTP header that carries a request id in and out of the web server. */
export const REQUEST_ID_HEADER = 'x-request-id';

// A proxy's id is kept when it looks like one; anything else (too long, odd characters) is replaced.
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{8,128}$/;

const storage = () => processSingleton('request-id', () => new AsyncLocalStorage<string>());

/** The request id given by a proxy (X-Request-Id) when well formed, else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && ACCEPTED_ID.test(value) ? value : randomUUID();
}

/** Runs work with this request id as the current one (what Temporal starts made inside it carry). */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return storage().run(requestId, work);
}

/** The id of the request being served, if any. */
export function currentRequestId(): string | undefined {
  return storage().getStore();
}
