import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { SpamRefusal } from './refusal';
import { normaliseContact } from './contact';
import type { LimiterStore } from './submission-limiter';

/** How many requests a tenant accepts per hour through its public API, per client address, per contact and in all. */
export interface RequestLimits {
  perAddressPerHour: number;
  perContactPerHour: number;
  perTenantPerHour: number;
}

/** Defaults: a household or a town hall's public computer files a few requests, a mobile operator's NAT a few more. */
export const DEFAULT_REQUEST_LIMITS: RequestLimits = { perAddressPerHour: 30, perContactPerHour: 10, perTenantPerHour: 2000 };

/** The tenant's limits: its own values where set, the defaults elsewhere. */
export function requestLimitsOf(settings: { limits?: Partial<RequestLimits> } | undefined): RequestLimits {
  return { ...DEFAULT_REQUEST_LIMITS, ...(settings?.limits ?? {}) };
}

/** What one public request is counted against. */
export interface RequestSource {
  tenantId: string;
  limits: RequestLimits;
  address: string;
  contacts: Array<string | undefined>;
}

/** The same table as the portal's limits (rate-limiter-flexible's layout), with keys of their own. */
const RATE_LIMIT_TABLE = 'portal_rate_limit';

/**
 * Hourly limits of the public API, counted in PostgreSQL so that every web process shares them (the memory limiter is
 * only the insurance rate-limiter-flexible falls back on while the database fails). A tenant's new limit applies at
 * once: limiters are per limit value, keys are not, so the counts carry over.
 */
export function createRequestLimiter(options: { store: LimiterStore; windowSeconds?: number }) {
  const duration = options.windowSeconds ?? 3600;
  const limiters = new Map<string, Promise<RateLimiterAbstract>>();
  function limiter(kind: 'address' | 'contact' | 'tenant', points: number): Promise<RateLimiterAbstract> {
    const id = `${kind}:${points}`;
    let made = limiters.get(id);
    if (!made) {
      const limit = { keyPrefix: `api-${kind}`, points, duration };
      made = options.store().then(
        (knex) =>
          new RateLimiterPostgres({ ...limit, storeClient: knex, storeType: 'knex', tableName: RATE_LIMIT_TABLE, tableCreated: true, insuranceLimiter: new RateLimiterMemory(limit) }),
      );
      made.catch(() => limiters.delete(id));
      limiters.set(id, made);
    }
    return made;
  }
  async function consume(kind: 'address' | 'contact' | 'tenant', points: number, key: string, reason: SpamRefusal['reason']) {
    try {
      await (await limiter(kind, points)).consume(key);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw new SpamRefusal(reason, Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
      throw error;
    }
  }
  return {
    /** Counts one request about to be stored; throws SpamRefusal (rate-ip, rate-contact, rate-tenant) past a limit. */
    async consume(source: RequestSource): Promise<void> {
      const { tenantId, limits } = source;
      await consume('address', limits.perAddressPerHour, `${tenantId}:${source.address}`, 'rate-ip');
      const contacts = new Set(source.contacts.filter((c): c is string => !!c).map(normaliseContact).filter(Boolean));
      for (const contact of contacts) await consume('contact', limits.perContactPerHour, `${tenantId}:${contact}`, 'rate-contact');
      await consume('tenant', limits.perTenantPerHour, tenantId, 'rate-tenant');
    },
  };
}

/** Counts requests against a tenant's limits; what the intake needs of a limiter. */
export type RequestLimiter = ReturnType<typeof createRequestLimiter>;
