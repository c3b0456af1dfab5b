import type { EntityManager } from '@mikro-orm/postgresql';
import { Tenant, Topic } from './entities';

/** A topic as the public API lists it. */
export interface PublicTopic {
  slug: string;
  label: string;
  department: string;
  delay: string;
  businessDays: boolean;
  kind: string;
}

/**
 * Active topics a request can be filed on, in display order; NotFoundError for an unknown tenant. Purchase topics are
 * left out: a purchase is made from the catalogue (`POST /purchases`), and `POST /requests` refuses them.
 */
export async function listPublicTopics(em: EntityManager, tenantSlug: string): Promise<PublicTopic[]> {
  const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);
  const topics = await em.find(Topic, { tenant, active: true, kind: { $ne: 'purchase' } }, { populate: ['department'], orderBy: [{ position: 'asc' }, { label: 'asc' }] });
  return topics.map((t) => ({ slug: t.slug, label: t.label, department: t.department.name, delay: t.delay, businessDays: t.businessDays, kind: t.kind }));
}

/** A topic the portal's home page links to, with the smart form it carries, if any. */
export interface TopicOffer {
  slug: string;
  kind: string;
  form: string | null;
}

/** Active topics of a tenant with their kind and form: what its portal home page can offer. */
export async function listTopicOffers(em: EntityManager, tenantId: string): Promise<TopicOffer[]> {
  const topics = await em.find(Topic, { tenant: tenantId, active: true }, { fields: ['slug', 'kind', 'form'] });
  return topics.map((t) => ({ slug: t.slug, kind: t.kind, form: t.form ?? null }));
}

/** An active topic that carries a smart form, with its department's name. */
export interface FormTopic {
  form: string;
  label: string;
  department: string;
}

/** Active topics of a tenant that carry a smart form, in display order. */
export async function listFormTopics(em: EntityManager, tenantId: string): Promise<FormTopic[]> {
  const topics = await em.find(
    Topic,
    { tenant: tenantId, active: true, form: { $ne: null } },
    { populate: ['department'], orderBy: [{ position: 'asc' }, { label: 'asc' }] },
  );
  return topics.map((t) => ({ form: t.form!, label: t.label, department: t.department.name }));
}
