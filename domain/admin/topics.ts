import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@/domain/auth/db';
import { parseDelay } from '@/domain/deadlines/delay';
import { InputError, compileValidator } from '@/domain/validation';
import { auditAdminChange, type AdminContext } from './context';
import { departmentId } from './departments';
import { label, slug } from './fields';

const validateTopic = compileValidator<{ slug: string; label: string; department: string; delay: string; businessDays?: boolean; validationRequired?: boolean; active?: boolean }>({
  type: 'object',
  additionalProperties: false,
  required: ['slug'],
  properties: {
    slug,
    label: label(200, 'Saisissez le libellé du thème.'),
    department: label(63, 'Choisissez le service.'),
    delay: label(40, 'Saisissez le délai (par exemple P8D pour 8 jours).'),
    businessDays: { type: 'boolean' },
    validationRequired: { type: 'boolean' },
    active: { type: 'boolean' },
  },
});

/** Creates or updates a topic: label, department, delay (ISO 8601), business days, validation, active. */
export async function saveTopic(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = validateTopic(body);
  try {
    parseDelay(input.delay);
  } catch {
    throw new InputError([{ path: '/delay', message: 'Délai invalide : écrivez-le en ISO 8601, par exemple P8D (8 jours) ou PT48H (48 heures).' }]);
  }
  await em.transactional(async (tx) => {
    const department = await departmentId(tx, ctx.tenantId, input.department, '/department');
    const [before] = await sql(tx, 'select label, department_id, delay, business_days, validation_required, active from topic where tenant_id = ? and slug = ?', [ctx.tenantId, input.slug]);
    await sql(
      tx,
      `insert into topic (id, tenant_id, slug, label, department_id, kind, delay, business_days, validation_required, position, active)
       values (?, ?, ?, ?, ?, 'question', ?, ?, ?, (select coalesce(max(position), 0) + 1 from topic where tenant_id = ?), ?)
       on conflict (tenant_id, slug) do update set label = excluded.label, department_id = excluded.department_id, delay = excluded.delay,
         business_days = excluded.business_days, validation_required = excluded.validation_required, active = excluded.active`,
      [randomUUID(), ctx.tenantId, input.slug, input.label.trim(), department, input.delay, input.businessDays ?? false, input.validationRequired ?? false, ctx.tenantId, input.active ?? true],
    );
    await auditAdminChange(tx, ctx, before ? 'admin.topic.update' : 'admin.topic.create', input.slug, before, input);
  });
}
