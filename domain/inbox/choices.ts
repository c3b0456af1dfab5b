import type { EntityManager } from '@mikro-orm/postgresql';
import { Department, Topic } from '@/domain/entities';

/** A department as the console's filters and transfer menus offer it. */
export interface DepartmentChoice {
  slug: string;
  name: string;
}

/** A topic as the console's filters and intake form offer it. */
export interface TopicChoice {
  slug: string;
  label: string;
}

/** A tenant's departments by name. */
export async function departmentChoices(em: EntityManager, tenantId: string): Promise<DepartmentChoice[]> {
  const departments = await em.find(Department, { tenant: tenantId }, { fields: ['slug', 'name'], orderBy: { name: 'asc' } });
  return departments.map((d) => ({ slug: d.slug, name: d.name }));
}

/**
 * A tenant's topics in display order; only the active ones when `activeOnly` (a new request takes no retired topic),
 * and without purchase topics when `fileable` (the choices of a request an agent files).
 */
export async function topicChoices(em: EntityManager, tenantId: string, options: { activeOnly?: boolean; fileable?: boolean } = {}): Promise<TopicChoice[]> {
  const topics = await em.find(
    Topic,
    // A purchase topic takes requests from the catalogue only (domain/payments/purchases.ts): an agent cannot file on it.
    { tenant: tenantId, ...(options.activeOnly ? { active: true } : {}), ...(options.fileable ? { kind: { $ne: 'purchase' } } : {}) },
    { fields: ['slug', 'label'], orderBy: [{ position: 'asc' }, { label: 'asc' }] },
  );
  return topics.map((t) => ({ slug: t.slug, label: t.label }));
}
