// Signed display times and honeypots: the checks that tell a person filling a form from a robot posting one.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SpamRefusal } from './refusal';

/** Fastest a person fills a portal form (question or smart form); robots post within milliseconds. */
export const MIN_FILL_MS = 3_000;

/** A form token older than this is refused; the form is shown again with what was typed. */
export const MAX_FORM_AGE_MS = 12 * 60 * 60 * 1000;

/**
 * Signs and checks the time a form was displayed, so the fill time cannot be forged. Each token also carries a random
 * nonce, so that two forms shown in the same millisecond get different tokens (a token files one request: form-tokens.ts).
 */
export function createFormClock(secret: string, now: () => number = Date.now) {
  const sign = (issuedAt: number, nonce: string) => createHmac('sha256', secret).update(`form:${issuedAt}.${nonce}`).digest('base64url');
  return {
    /** A token carrying the display time. */
    issue(): string {
      const issuedAt = now();
      const nonce = randomBytes(12).toString('base64url');
      return `${issuedAt}.${nonce}.${sign(issuedAt, nonce)}`;
    },
    /** Refuses a missing, forged, too recent or too old token; a valid one is good until the returned time. */
    check(token: string | null | undefined): { expiresAt: Date } {
      const [raw, nonce, mac] = (token ?? '').split('.');
      const issuedAt = Number(raw);
      if (!Number.isSafeInteger(issuedAt) || !nonce || !mac) throw new SpamRefusal('token');
      const expected = Buffer.from(sign(issuedAt, nonce));
      const given = Buffer.from(mac);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new SpamRefusal('token');
      const age = now() - issuedAt;
      if (age < MIN_FILL_MS) throw new SpamRefusal('too-fast');
      if (age > MAX_FORM_AGE_MS) throw new SpamRefusal('token');
      return { expiresAt: new Date(issuedAt + MAX_FORM_AGE_MS) };
    },
  };
}

/** Refuses a submission whose honeypot is filled. */
export function checkHoneypot(value: unknown): void {
  if (typeof value === 'string' && value.trim() !== '') throw new SpamRefusal('honeypot');
}
