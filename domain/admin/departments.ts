import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@/domain/auth/db';
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
  const [row] = await sql<{ id: string }>(em, 'select id from department where tenant_id = ? and slug = ?', [tenantId, departmentSlug]);
  if (!row) throw new InputError([{ path, message: `Service inconnu « ${departmentSlug} ».` }]);
  return row.id;
}

/** Creates or updates a department (by slug) and its escalation cascade. */
export async function saveDepartment(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = validateDepartment(body);
  const escalation = parseCascade(input.escalation ?? '');
  await em.transactional(async (tx) => {
    const [before] = await sql(tx, 'select name, email, escalation from department where tenant_id = ? and slug = ?', [ctx.tenantId, input.slug]);
    await sql(
      tx,
      `insert into department (id, tenant_id, slug, name, email, escalation, created_at) values (?, ?, ?, ?, ?, ?, now())
       on conflict (tenant_id, slug) do update set name = excluded.name, email = excluded.email, escalation = excluded.escalation`,
      [randomUUID(), ctx.tenantId, input.slug, input.name.trim(), input.email || null, escalation ? JSON.stringify(escalation) : null],
    );
    await auditAdminChange(tx, ctx, before ? 'admin.department.update' : 'admin.department.create', input.slug, before, { name: input.name, email: input.email, escalation });
  });
}
