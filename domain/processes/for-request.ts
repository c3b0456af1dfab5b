/**
 * Which process a new request follows — the one rule (README, "Processes"): a request filed through a form follows the
 * form's process; a request on a topic without a form follows the topic's process when it names one; otherwise it
 * follows its topic's own settings (delay, department, validation, cascade) on the built-in question workflow.
 * The latest version at filing time is the one the request keeps to its end.
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Department } from '@/domain/entities';
import { formAtVersion, latestForm } from '@/domain/forms/store';
import type { DepartmentRef } from '@/domain/requests/contract';
import { ensureShippedProcesses, latestProcess, type StoredProcess } from './store';

/** What the intake needs of a topic to find its process. */
export interface TopicProcessRef {
  form?: string | null;
  process?: string | null;
}

/** The process a request of this topic follows (at its latest version), or undefined for the topic's own settings. */
export async function processForRequest(
  orm: MikroORM,
  em: EntityManager,
  tenantId: string,
  topic: TopicProcessRef,
  formVersion?: number,
): Promise<StoredProcess | undefined> {
  const slug = topic.form ? await formProcessSlug(em, tenantId, topic.form, formVersion) : (topic.process ?? undefined);
  if (!slug) return undefined;
  const stored = (await latestProcess(em, tenantId, slug)) ?? (await ensureShippedProcesses(orm), await latestProcess(em, tenantId, slug));
  // Form and topic imports check that the process exists: a missing one is a configuration fault, not the citizen's.
  if (!stored) throw new Error(`Process "${slug}" named by ${topic.form ? `form "${topic.form}"` : 'a topic'} is not stored for tenant ${tenantId}`);
  return stored;
}

async function formProcessSlug(em: EntityManager, tenantId: string, formSlug: string, version?: number): Promise<string | undefined> {
  const form = version === undefined ? await latestForm(em, tenantId, formSlug) : await formAtVersion(em, tenantId, formSlug, version);
  return form?.definition.process;
}

/** The tenant's departments by slug, as a process workflow's `route` steps resolve them. */
export async function departmentsBySlug(em: EntityManager, tenantId: string): Promise<Record<string, DepartmentRef>> {
  const departments = await em.find(Department, { tenant: tenantId }, { fields: ['id', 'slug'] });
  return Object.fromEntries(departments.map((d) => [d.slug, { id: d.id, slug: d.slug }]));
}
