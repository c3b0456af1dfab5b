import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { tryParsePhone } from '@/domain/contact/phone';
import type { FieldError } from '@/domain/validation';

export { FORM_TOKEN_FIELD, HONEYPOT_FIELD } from './fields';

/** Fastest a person fills a portal form (question or smart form); robots post within milliseconds. */
export const MIN_FILL_MS = 3_000;

/** A form token older than this is refused; the form is shown again with what was typed. */
export const MAX_FORM_AGE_MS = 12 * 60 * 60 * 1000;

/** Why a submission was refused, in French, for the form's error summary. */
export class SpamRefusal extends Error {
  constructor(
    readonly reason: 'honeypot' | 'too-fast' | 'token' | 'token-used' | 'rate-ip' | 'rate-contact' | 'rate-tenant',
    readonly retryAfterSeconds?: number,
  ) {
    super(reason);
  }

  /** Whether the refusal is a rate limit (HTTP 429 with Retry-After) rather than a failed check. */
  get isRateLimit(): boolean {
    return this.reason.startsWith('rate-');
  }

  /** What the citizen reads. */
  get fieldError(): FieldError {
    if (this.reason === 'rate-tenant')
      return { path: '', message: `La commune reçoit un très grand nombre de demandes en ce moment. Merci de réessayer dans ${Math.ceil((this.retryAfterSeconds ?? 60) / 60)} minute(s).` };
    if (this.reason === 'token-used')
      return { path: '', message: 'Ce formulaire a déjà été envoyé. Si vous souhaitez faire une autre demande, vérifiez le formulaire puis envoyez-le à nouveau.' };
    if (this.isRateLimit)
      return { path: '', message: `Vous avez envoyé beaucoup de demandes en peu de temps. Merci de réessayer dans ${Math.ceil((this.retryAfterSeconds ?? 60) / 60)} minute(s).` };
    return { path: '', message: "Votre envoi n'a pas pu être vérifié. Merci de relire le formulaire puis de l'envoyer à nouveau." };
  }
}

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

/** Where the counts live: the deployment's PostgreSQL, so that every web process counts the same submissions. */
export type LimiterStore = () => Promise<Knex>;

/** Table of the shared counts (migration 09), one row per key and window. */
const RATE_LIMIT_TABLE = 'portal_rate_limit';

/**
 * Limits per submission source. With a store, counts are shared by every web process and survive restarts; should the
 * database fail, each process falls back to its own memory counts rather than refusing or failing every citizen.
 * Without a store (unit tests), memory only.
 */
export function createSubmissionLimiter(options: { perIp?: number; perContact?: number; windowSeconds?: number; store?: LimiterStore } = {}) {
  const duration = options.windowSeconds ?? 3600;
  const ip = { keyPrefix: 'portal-ip', points: options.perIp ?? 30, duration };
  const contact = { keyPrefix: 'portal-contact', points: options.perContact ?? 10, duration };
  const limiters = lazy(async () => {
    const knex = await options.store?.();
    const limiter = (limit: typeof ip): RateLimiterAbstract =>
      knex
        ? new RateLimiterPostgres({ ...limit, storeClient: knex, storeType: 'knex', tableName: RATE_LIMIT_TABLE, tableCreated: true, insuranceLimiter: new RateLimiterMemory(limit) })
        : new RateLimiterMemory(limit);
    return { byIp: limiter(ip), byContact: limiter(contact) };
  });
  async function consume(limiter: RateLimiterAbstract, key: string, reason: 'rate-ip' | 'rate-contact') {
    try {
      await limiter.consume(key);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw new SpamRefusal(reason, Math.ceil(error.msBeforeNext / 1000));
      throw error;
    }
  }
  return {
    /** Counts one submission from an IP address and for each contact given; throws SpamRefusal past the limit. */
    async consume(address: string, contacts: Array<string | undefined>): Promise<void> {
      const { byIp, byContact } = await limiters();
      await consume(byIp, address || 'inconnue', 'rate-ip');
      // A value that is neither an e-mail nor a phone number is no contact (the form refuses it): it must not share one
      // count with every such typo.
      for (const given of contacts) {
        const key = given ? normaliseContact(given) : '';
        if (key) await consume(byContact, key, 'rate-contact');
      }
    },
  };
}

// Made on first use, as the web process opens its database lazily; tried again after a failure.
function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    });
    return made;
  };
}

/** One key per person whatever the spelling: lower-case e-mail, phone number in E.164; empty for neither. */
export function normaliseContact(contact: string): string {
  const trimmed = contact.trim().toLowerCase();
  if (trimmed.includes('@')) return trimmed;
  return tryParsePhone(trimmed) ?? '';
}

