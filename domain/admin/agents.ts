import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@/domain/auth/db';
import { assertStrongPassword, hashPassword } from '@/domain/auth/passwords';
import { destroyAgentSessions } from '@/domain/auth/sessions';
import { InputError, compileValidator, type FieldError } from '@/domain/validation';
import { auditAdminChange, type AdminContext } from './context';
import { departmentId } from './departments';
import { label } from './fields';

const validateAgent = compileValidator<{ email: string; name: string; isAdmin?: boolean; isDpo?: boolean; isTreasurer?: boolean; active?: boolean; roles?: string; password?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: {
    email: { type: 'string', default: '', format: 'email', maxLength: 320, errorMessage: 'Adresse électronique invalide.' },
    name: label(200, 'Saisissez le nom de l’agent.'),
    isAdmin: { type: 'boolean' },
    isDpo: { type: 'boolean' },
    isTreasurer: { type: 'boolean' },
    active: { type: 'boolean' },
    roles: { type: 'string', maxLength: 2000 },
    password: { type: 'string', maxLength: 200 },
  },
});

/** Creates or updates an agent: name, administrator and data protection officer flags, active flag, roles ("service:rôle, …"), optional new password. */
export async function saveAgent(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = validateAgent(body);
  const email = input.email.trim().toLowerCase();
  const roles: Array<{ department: string; role: string }> = [];
  const errors: FieldError[] = [];
  for (const part of (input.roles ?? '').split(/[,;\n]+/).map((p) => p.trim()).filter(Boolean)) {
    const [department, role] = part.split(':').map((x) => x.trim());
    if (!department || !['agent', 'validator', 'head'].includes(role)) errors.push({ path: '/roles', message: `Rôle invalide « ${part} » : service:agent, service:validator ou service:head.` });
    else roles.push({ department, role });
  }
  if (input.password) assertStrongPassword(input.password);
  if (errors.length) throw new InputError(errors);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  await em.transactional(async (tx) => {
    const ids = new Map<string, string>();
    for (const r of roles) ids.set(r.department, await departmentId(tx, ctx.tenantId, r.department, '/roles'));
    const [before] = await sql<{ id: string; name: string; is_admin: boolean; is_dpo: boolean; is_treasurer: boolean; active: boolean }>(tx, 'select id, name, is_admin, is_dpo, is_treasurer, active from agent where tenant_id = ? and email = ?', [ctx.tenantId, email]);
    if (!before && !passwordHash) throw new InputError([{ path: '/password', message: 'Un nouvel agent a besoin d’un mot de passe initial.' }]);
    // The audit entry shows a role change as before / after.
    const rolesBefore = before
      ? await sql<{ department: string; role: string }>(tx, 'select d.slug as department, ar.role from agent_role ar join department d on d.id = ar.department_id where ar.agent_id = ? order by d.slug, ar.role', [before.id])
      : [];
    if (before?.id === ctx.agentId && (input.isAdmin === false || input.active === false)) {
      throw new InputError([{ path: '/isAdmin', message: 'Vous ne pouvez pas retirer vos propres droits d’administrateur ni désactiver votre compte.' }]);
    }
    const [row] = await sql<{ id: string }>(
      tx,
      `insert into agent (id, tenant_id, email, name, password_hash, is_admin, is_dpo, is_treasurer, active, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, now())
       on conflict (tenant_id, email) do update set name = excluded.name, is_admin = excluded.is_admin, is_dpo = excluded.is_dpo,
         is_treasurer = excluded.is_treasurer, active = excluded.active, password_hash = coalesce(excluded.password_hash, agent.password_hash)
       returning id`,
      [randomUUID(), ctx.tenantId, email, input.name.trim(), passwordHash, input.isAdmin ?? false, input.isDpo ?? false, input.isTreasurer ?? false, input.active ?? true],
    );
    await sql(tx, 'delete from agent_role where agent_id = ?', [row.id]);
    for (const r of roles) await sql(tx, 'insert into agent_role (id, agent_id, department_id, role) values (?, ?, ?, ?) on conflict do nothing', [randomUUID(), row.id, ids.get(r.department), r.role]);
    // A deactivated agent or a reset password must not keep old sessions alive.
    if (input.active === false || passwordHash) await destroyAgentSessions(tx, row.id);
    await auditAdminChange(tx, ctx, before ? 'admin.agent.update' : 'admin.agent.create', email, before ? { name: before.name, isAdmin: before.is_admin, isDpo: before.is_dpo, isTreasurer: before.is_treasurer, active: before.active, roles: rolesBefore } : null, {
      name: input.name, isAdmin: input.isAdmin ?? false, isDpo: input.isDpo ?? false, isTreasurer: input.isTreasurer ?? false, active: input.active ?? true, roles, passwordChanged: !!passwordHash,
    });
  });
}
