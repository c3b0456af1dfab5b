import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AnswerTemplate } from '@/domain/entities';
import { templateError } from '@/domain/notifications/templates';
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
    const current = await tx.findOne(AnswerTemplate, { tenant: ctx.tenantId, slug: input.slug }, { refresh: true });
    const before = current && { title: current.title, body: current.body, department_id: current.department?.id ?? null };
    await tx.upsert(
      AnswerTemplate,
      { id: randomUUID(), tenant: ctx.tenantId, department, slug: input.slug, title: input.title.trim(), body: input.body },
      { onConflictFields: ['tenant', 'slug'], onConflictAction: 'merge', onConflictMergeFields: ['department', 'title', 'body'] },
    );
    await auditAdminChange(tx, ctx, before ? 'admin.answer_template.update' : 'admin.answer_template.create', input.slug, before, input);
  });
}

/** Deletes an answer template. */
export async function deleteAnswerTemplate(em: EntityManager, ctx: AdminContext, templateSlug: string): Promise<void> {
  const template = await em.findOne(AnswerTemplate, { tenant: ctx.tenantId, slug: templateSlug }, { refresh: true });
  // Of two concurrent deletes, the one that removed no row reports the template as gone.
  if (!template || (await em.nativeDelete(AnswerTemplate, { id: template.id })) === 0) throw new NotFoundError(`Unknown answer template ${templateSlug}`);
  await auditAdminChange(em, ctx, 'admin.answer_template.delete', templateSlug, { title: template.title, body: template.body }, null);
}
