import { createHmac, timingSafeEqual } from 'node:crypto';
import { relaisSecret } from '@/domain/secrets/relais-secret';

/** What a signed subscription link is for; the purpose is part of the signed text, so one link never opens another door. */
export type LinkPurpose = 'confirm' | 'code' | 'preferences' | 'unsubscribe';

/** The identifiers a link carries: a subscription or subscriber id, and for confirmations the attempt it was sent for. */
export interface LinkSubject {
  id: string;
  attempt?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function mac(purpose: LinkPurpose, subject: LinkSubject, secret: string): string {
  return createHmac('sha256', secret).update(`subscriptions:${purpose}:${subject.id}:${subject.attempt ?? ''}`).digest('base64url');
}

/** A URL-safe token `id.attempt.mac` signed with RELAIS_SECRET; it holds no personal data. */
export function signLink(purpose: LinkPurpose, subject: LinkSubject, secret = relaisSecret()): string {
  return `${subject.id}.${subject.attempt ?? ''}.${mac(purpose, subject, secret)}`;
}

/** The subject of a token signed for this purpose, or undefined for anything forged, truncated or for another purpose. */
export function readLink(purpose: LinkPurpose, token: unknown, secret = relaisSecret()): LinkSubject | undefined {
  if (typeof token !== 'string' || token.length > 200) return undefined;
  const [id, rawAttempt, given, ...rest] = token.split('.');
  if (rest.length || !id || given === undefined || !UUID.test(id)) return undefined;
  const attempt = rawAttempt === '' ? undefined : Number(rawAttempt);
  if (attempt !== undefined && !(Number.isSafeInteger(attempt) && attempt > 0 && String(attempt) === rawAttempt)) return undefined;
  const subject = { id, attempt };
  const expected = Buffer.from(mac(purpose, subject, secret));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? subject : undefined;
}

/**
 * The six-digit code of one SMS confirmation, derived from the subscription and attempt: nothing secret is stored or
 * passed through workflow history, and a new attempt gets a new code.
 */
export function confirmationCode(subscriptionId: string, attempt: number, secret = relaisSecret()): string {
  const digest = createHmac('sha256', secret).update(`subscriptions:sms-code:${subscriptionId}:${attempt}`).digest();
  return String(digest.readUIntBE(0, 6) % 1_000_000).padStart(6, '0');
}

/** Constant-time comparison of a typed code (spaces allowed) with the expected one. */
export function codeMatches(typed: string, expected: string): boolean {
  const given = Buffer.from(typed.replace(/\s/g, ''));
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
