/**
 * Which process a new request follows — the one rule (README, "Processes"): a request filed through a form follows the
 * form's process; a request on a topic without a form follows the topic's process when it names one; otherwise it
 * follows its topic's own settings (delay, department, validation, cascade) on the built-in question workflow.
 * The latest version at filing time is the one the request keeps to its end.
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Department } from '@/domain/entities';
import { latestForm } from '@/domain/forms/store';
import type { DepartmentRef } from '@/domain/requests/contract';
import type { ProcessDefinition } from './definition';
import { ensureShippedProcesses, latestProcess, type StoredProcess } from './store';

/** What the intake needs of a topic to find its process. */
export interface TopicProcessRef {
  form?: string | null;
  process?: string | null;
}

/** A form the intake has already loaded and validated the data with. */
export interface ValidatedForm {
  version: number;
  /** The process the form names. */
  process?: string;
}

/**
 * The process a request of this topic follows (at its latest version), or undefined for the topic's own settings.
 * `form` is the topic's form when the caller validated the data with it; otherwise its latest version is read.
 */
export async function processForRequest(
  orm: MikroORM,
  em: EntityManager,
  tenantId: string,
  topic: TopicProcessRef,
  form?: ValidatedForm,
): Promise<StoredProcess | undefined> {
  const slug = topic.form ? (form ? form.process : (await latestForm(em, tenantId, topic.form))?.definition.process) : (topic.process ?? undefined);
  if (!slug) return undefined;
  const stored = (await latestProcess(em, tenantId, slug)) ?? (await ensureShippedProcesses(orm), await latestProcess(em, tenantId, slug));
  // Form and topic imports check that the process exists: a missing one is a configuration fault, not the citizen's.
  if (!stored) throw new Error(`Process "${slug}" named by ${topic.form ? `form "${topic.form}"` : 'a topic'} is not stored for tenant ${tenantId}`);
  return stored;
}

/** The tenant's departments by slug, as a process workflow's `route` steps resolve them. */
export async function departmentsBySlug(em: EntityManager, tenantId: string): Promise<Record<string, DepartmentRef>> {
  const departments = await em.find(Department, { tenant: tenantId }, { fields: ['id', 'slug'] });
  return Object.fromEntries(departments.map((d) => [d.slug, { id: d.id, slug: d.slug }]));
}

/** The CEL expressions of a definition: route rules, amounts and dates to wait for. */
function expressionsOf(definition: ProcessDefinition): string[] {
  return definition.steps.flatMap((step) => {
    if (step.kind === 'route') return (step.rules ?? []).map((rule) => rule.when);
    if (step.kind === 'collect_payment') return typeof step.amount === 'string' ? [step.amount] : [];
    if (step.kind === 'wait') return step.until !== undefined ? [step.until] : [];
    return [];
  });
}

/**
 * Whether the definition's expressions read the form's data and the citizen's contact. Only what they read goes
 * into the workflow's input, where it stays in Temporal's history beyond the reach of the database's erasure.
 */
export function personalDataRead(definition: ProcessDefinition): { data: boolean; citizen: boolean } {
  const sources = expressionsOf(definition);
  return { data: sources.some((e) => /\bdata\b/.test(e)), citizen: sources.some((e) => /\bcitizen\b/.test(e)) };
}
