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

/** Active topics of a tenant in display order; NotFoundError for an unknown tenant. */
export async function listPublicTopics(em: EntityManager, tenantSlug: string): Promise<PublicTopic[]> {
  const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);
  const topics = await em.find(Topic, { tenant, active: true }, { populate: ['department'], orderBy: [{ position: 'asc' }, { label: 'asc' }] });
  return topics.map((t) => ({ slug: t.slug, label: t.label, department: t.department.name, delay: t.delay, businessDays: t.businessDays, kind: t.kind }));
}
