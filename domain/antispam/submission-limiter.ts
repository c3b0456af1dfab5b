import type { Knex } from '@mikro-orm/postgresql';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { normaliseContact } from './contact';
import { SpamRefusal } from './refusal';

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
      // A value with no digit and no @ is no contact (the form refuses it): it must not share one count with every such typo.
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

