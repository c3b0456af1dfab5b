import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FormDraft } from '@/domain/entities';
import { withoutForbiddenCharacters } from './text';

/** The oldest creation time of a draft still kept (database clock): a refused no-JavaScript form holds personal data. */
const draftsSince = () => raw<FormDraft, Date>("now() - interval '1 hour'");

/** Keeps a refused form's values and errors for an hour; also forgets drafts past that age. */
export async function saveFormDraft(em: EntityManager, tenantId: string, draft: unknown): Promise<string> {
  const id = randomUUID();
  await em.nativeDelete(FormDraft, { createdAt: { $lt: draftsSince() } });
  // What was typed comes back on the form; a NUL or a lone surrogate would make PostgreSQL refuse the whole draft.
  const data = JSON.parse(JSON.stringify(draft, (_key, value: unknown) => (typeof value === 'string' ? withoutForbiddenCharacters(value) : value))) as Record<string, unknown>;
  await em.insert(FormDraft, { id, tenant: tenantId, data });
  return id;
}

/** A draft of this tenant younger than an hour, or undefined. */
export async function loadFormDraft<T>(em: EntityManager, tenantId: string, id: string | undefined): Promise<T | undefined> {
  if (!id || !/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const draft = await em.findOne(FormDraft, { id, tenant: tenantId, createdAt: { $gt: draftsSince() } });
  return draft?.data as T | undefined;
}

/** Forgets a draft once its request is filed. */
export async function deleteFormDraft(em: EntityManager, id: string | undefined): Promise<void> {
  if (id && /^[0-9a-f-]{36}$/i.test(id)) await em.nativeDelete(FormDraft, { id });
}
