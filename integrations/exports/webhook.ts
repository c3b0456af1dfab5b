import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';

/** Header carrying the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export const SIGNATURE_HEADER = 'X-Relais-Signature';

/** The signature header value for a body sent at `timestamp` (seconds). */
export function signPayload(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** Checks a signature header as a receiver should: right HMAC, and a timestamp within the tolerance (replays refused). */
export function verifySignature(secret: string, header: string | null | undefined, body: string, nowSeconds = Math.floor(Date.now() / 1000), toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1 || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signPayload(secret, timestamp, body).split('v1=')[1], 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Outcome of one delivery. */
export interface WebhookResult {
  status: number;
}

// Client errors mean the receiver will never accept this payload, except these, which mean "later".
const RETRYABLE_4XX = new Set([408, 425, 429]);

/**
 * Posts a signed JSON body once. 2xx → done; other 4xx → non-retryable `ExportRejected`;
 * 5xx, 408/429 and network errors → retryable `ExportReceiverUnavailable` (the activity retry policy backs off).
 */
export async function deliverWebhook(options: { url: string; secret: string; body: string; idempotencyKey: string; timeoutMs?: number; now?: () => Date }): Promise<WebhookResult> {
  const timestamp = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Relais-Export/1',
        [SIGNATURE_HEADER]: signPayload(options.secret, timestamp, options.body),
        'X-Relais-Idempotency-Key': options.idempotencyKey,
      },
      body: options.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (cause) {
    throw ApplicationFailure.create({ message: `Webhook ${options.url} unreachable: ${(cause as Error).message}`, type: 'ExportReceiverUnavailable', cause: cause as Error });
  }
  await response.arrayBuffer().catch(() => undefined);
  if (response.status >= 200 && response.status < 300) return { status: response.status };
  const details = [{ httpStatus: response.status }];
  if (response.status >= 400 && response.status < 500 && !RETRYABLE_4XX.has(response.status)) {
    throw ApplicationFailure.create({ message: `Webhook ${options.url} refused the export (HTTP ${response.status})`, type: 'ExportRejected', nonRetryable: true, details });
  }
  throw ApplicationFailure.create({ message: `Webhook ${options.url} answered HTTP ${response.status}`, type: 'ExportReceiverUnavailable', details });
}
