import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '@/domain/sql';
import { withoutForbiddenCharacters } from './text';

/** How long a refused no-JavaScript form is kept for its next display: it holds personal data. */
const DRAFT_LIFETIME = "interval '1 hour'";

/** Keeps a refused form's values and errors for an hour; also forgets drafts past that age. */
export async function saveFormDraft(em: EntityManager, tenantId: string, draft: unknown): Promise<string> {
  const id = randomUUID();
  await em.getConnection().execute(`delete from form_draft where created_at < now() - ${DRAFT_LIFETIME}`);
  // What was typed comes back on the form; a NUL or a lone surrogate would make PostgreSQL refuse the whole draft.
  const data = JSON.stringify(draft, (_key, value: unknown) => (typeof value === 'string' ? withoutForbiddenCharacters(value) : value));
  await em.getConnection().execute('insert into form_draft (id, tenant_id, data, created_at) values (?, ?, ?, now())', [id, tenantId, data]);
  return id;
}

/** A draft of this tenant younger than an hour, or undefined. */
export async function loadFormDraft<T>(em: EntityManager, tenantId: string, id: string | undefined): Promise<T | undefined> {
  if (!id || !/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await query<{ data: T }>(em, `select data from form_draft where id = ? and tenant_id = ? and created_at > now() - ${DRAFT_LIFETIME}`, [id, tenantId]);
  return row?.data;
}

/** Forgets a draft once its request is filed. */
export async function deleteFormDraft(em: EntityManager, id: string | undefined): Promise<void> {
  if (id && /^[0-9a-f-]{36}$/i.test(id)) await em.getConnection().execute('delete from form_draft where id = ?', [id]);
}
