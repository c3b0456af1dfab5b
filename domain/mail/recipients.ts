// Which tenant, topic, request or outgoing e-mail an inbound recipient address designates.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Tenant, Topic, type TenantSettings } from '@/domain/entities';
import { query } from '@/domain/sql';
import type { MailTokens } from './addresses';

/** A tenant as the mail intake needs it. */
export interface MailTenant {
  id: string;
  slug: string;
  name: string;
  settings: TenantSettings;
}

/** What one recipient address designates. */
export type ResolvedRecipient =
  /** `<tenant>@`, `<topic>.<tenant>@` or an address the tenant declares. */
  | { kind: 'tenant'; address: string; tenant: MailTenant; topicSlug?: string }
  /** A signed `reponse+…` address. */
  | { kind: 'reply'; address: string; tenant: MailTenant; reference: string }
  /** A signed `rebond+…` address. */
  | { kind: 'bounce'; address: string; notificationId: string };

/** Resolves recipient addresses against the database; `accepts` caches its answers briefly for the SMTP listener. */
export function createRecipientResolver(deps: { orm: MikroORM; tokens: MailTokens; cacheMs?: number }) {
  const cacheMs = deps.cacheMs ?? 10_000;
  const cache = new Map<string, { accepted: boolean; until: number }>();

  /** What an address designates, read now; undefined for an address no tenant receives at. */
  async function resolve(em: EntityManager, rawAddress: string): Promise<ResolvedRecipient | undefined> {
    const address = rawAddress.trim().toLowerCase();
    const own = deps.tokens.parse(address);
    if (own?.kind === 'bounce') return { kind: 'bounce', address, notificationId: own.notificationId };
    if (own) {
      const tenant = await tenantBySlug(em, own.tenantSlug);
      if (!tenant) return undefined;
      if (own.kind === 'reply') return { kind: 'reply', address, tenant, reference: own.reference };
      if (own.topicSlug && !(await em.count(Topic, { tenant: tenant.id, slug: own.topicSlug, active: true }))) return undefined;
      return { kind: 'tenant', address, tenant, topicSlug: own.topicSlug };
    }
    if (deps.tokens.isOwnAddress(address)) return undefined;
    const tenant = await tenantDeclaring(em, address);
    return tenant ? { kind: 'tenant', address, tenant } : undefined;
  }

  /** True when mail to this address is received (RCPT TO); cached for a few seconds, misses included. */
  async function accepts(address: string): Promise<boolean> {
    const key = address.trim().toLowerCase();
    const cached = cache.get(key);
    if (cached && cached.until > Date.now()) return cached.accepted;
    const accepted = Boolean(await resolve(deps.orm.em.fork(), key));
    // A flood of made-up recipients must not grow the cache without end.
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { accepted, until: Date.now() + cacheMs });
    return accepted;
  }

  return { resolve, accepts };
}

/** The tenant with this slug, as the mail intake needs it. */
export async function tenantBySlug(em: EntityManager, slug: string): Promise<MailTenant | undefined> {
  const tenant = await em.findOne(Tenant, { slug }, { fields: ['id', 'slug', 'name', 'settings'] });
  return tenant ? mailTenant(tenant) : undefined;
}

/** The tenant with this id, as the mail intake needs it. */
export async function tenantById(em: EntityManager, id: string): Promise<MailTenant | undefined> {
  const tenant = await em.findOne(Tenant, { id }, { fields: ['id', 'slug', 'name', 'settings'] });
  return tenant ? mailTenant(tenant) : undefined;
}

/** The tenant that declares this address in settings.mail.addresses (compared without case). */
export async function tenantDeclaring(em: EntityManager, address: string): Promise<MailTenant | undefined> {
  // Raw SQL: a jsonb array search the ORM cannot express.
  const [row] = await query<MailTenant>(
    em,
    `select id, slug, name, settings from tenant
      where jsonb_typeof(settings->'mail'->'addresses') = 'array'
        and exists (select 1 from jsonb_array_elements_text(settings->'mail'->'addresses') declared where lower(declared) = ?)
      order by created_at limit 1`,
    [address.toLowerCase()],
  );
  return row;
}

function mailTenant(tenant: Pick<Tenant, 'id' | 'slug' | 'name' | 'settings'>): MailTenant {
  return { id: tenant.id, slug: tenant.slug, name: tenant.name, settings: tenant.settings };
}
