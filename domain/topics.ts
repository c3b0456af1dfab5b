import type { EntityManager } from '@mikro-orm/postgresql';
import { Tenant } from './entities';
import { query } from './sql';

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
  const rows = await query<{ slug: string; label: string; department: string; delay: string; business_days: boolean; kind: string }>(
    em,
    `select tp.slug, tp.label, d.name as department, tp.delay, tp.business_days, tp.kind
       from topic tp join department d on d.id = tp.department_id
      where tp.tenant_id = ? and tp.active order by tp.position, tp.label`,
    [tenant.id],
  );
  return rows.map((r) => ({ slug: r.slug, label: r.label, department: r.department, delay: r.delay, businessDays: r.business_days, kind: r.kind }));
}
