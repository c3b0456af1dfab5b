import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Department } from '@/domain/entities';
import { InputError, compileValidator } from '@/domain/validation';
import { parseCascade } from './cascade';
import { auditAdminChange, type AdminContext } from './context';
import { label, slug } from './fields';

const validateDepartment = compileValidator<{ slug: string; name: string; email?: string; escalation?: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['slug'],
  properties: {
    slug,
    name: label(200, 'Saisissez le nom du service.'),
    email: { type: 'string', maxLength: 320, anyOf: [{ format: 'email' }, { maxLength: 0 }], errorMessage: 'Adresse électronique invalide.' },
    escalation: { type: 'string', maxLength: 500 },
  },
});

/** The id of a department of the tenant by slug, or a field error at `path`. */
export async function departmentId(em: EntityManager, tenantId: string, departmentSlug: string, path: string): Promise<string> {
  const department = await em.findOne(Department, { tenant: tenantId, slug: departmentSlug });
  if (!department) throw new InputError([{ path, message: `Service inconnu « ${departmentSlug} ».` }]);
  return department.id;
}

/** Creates or updates a department (by slug) and its escalation cascade. */
export async function saveDepartment(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = validateDepartment(body);
  const escalation = parseCascade(input.escalation ?? '');
  await em.transactional(async (tx) => {
    const current = await tx.findOne(Department, { tenant: ctx.tenantId, slug: input.slug }, { refresh: true });
    const before = current && { name: current.name, email: current.email ?? null, escalation: current.escalation ?? null };
    await tx.upsert(
      Department,
      { id: randomUUID(), tenant: ctx.tenantId, slug: input.slug, name: input.name.trim(), email: input.email || null, escalation, createdAt: raw('now()') },
      { onConflictFields: ['tenant', 'slug'], onConflictAction: 'merge', onConflictMergeFields: ['name', 'email', 'escalation'] },
    );
    await auditAdminChange(tx, ctx, before ? 'admin.department.update' : 'admin.department.create', input.slug, before, { name: input.name, email: input.email, escalation });
  });
}
