import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { templateError } from '@/domain/notifications/templates';
import { sql } from '@/domain/auth/db';
import { InputError, NotFoundError, compileValidator } from '@/domain/validation';
import { auditAdminChange, type AdminContext } from './context';
import { departmentId } from './departments';
import { label, slug } from './fields';

const validateAnswerTemplate = compileValidator<{ slug: string; title: string; body: string; department?: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['slug'],
  properties: { slug, title: label(200, 'Saisissez le titre du modèle.'), body: label(20000, 'Saisissez le texte du modèle.'), department: { type: 'string', maxLength: 63 } },
});

/** Creates or updates an answer template (tenant-wide, or for one department). */
export async function saveAnswerTemplate(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = validateAnswerTemplate(body);
  const problem = templateError(input.body);
  if (problem) throw new InputError([{ path: '/body', message: `Variables mal formées : ${problem.split('\n')[0]}` }]);
  await em.transactional(async (tx) => {
    const department = input.department ? await departmentId(tx, ctx.tenantId, input.department, '/department') : null;
    const [before] = await sql(tx, 'select title, body, department_id from answer_template where tenant_id = ? and slug = ?', [ctx.tenantId, input.slug]);
    await sql(
      tx,
      `insert into answer_template (id, tenant_id, department_id, slug, title, body) values (?, ?, ?, ?, ?, ?)
       on conflict (tenant_id, slug) do update set department_id = excluded.department_id, title = excluded.title, body = excluded.body`,
      [randomUUID(), ctx.tenantId, department, input.slug, input.title.trim(), input.body],
    );
    await auditAdminChange(tx, ctx, before ? 'admin.answer_template.update' : 'admin.answer_template.create', input.slug, before, input);
  });
}

/** Deletes an answer template. */
export async function deleteAnswerTemplate(em: EntityManager, ctx: AdminContext, templateSlug: string): Promise<void> {
  const [before] = await sql(em, 'delete from answer_template where tenant_id = ? and slug = ? returning title, body', [ctx.tenantId, templateSlug]);
  if (!before) throw new NotFoundError(`Unknown answer template ${templateSlug}`);
  await auditAdminChange(em, ctx, 'admin.answer_template.delete', templateSlug, before, null);
}
