import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit';
import { Tenant } from '@/domain/entities';
import { sql } from './db';
import { compileValidator } from '@/domain/validation';
import { LockedOutError, UnauthenticatedError } from './errors';
import { verifyPassword } from './passwords';
import { createSession } from './sessions';

/** Failed logins allowed inside the window before the account is locked. */
export const MAX_FAILED_LOGINS = 5;
/** The window, and how long a lock lasts after the last failure. */
export const LOCKOUT_WINDOW_MS = 15 * 60_000;

/** Body of a login. */
export interface LoginBody {
  email: string;
  password: string;
}

/** Validates a login body (French messages). */
export const validateLogin = compileValidator<LoginBody>({
  type: 'object',
  additionalProperties: false,
  properties: {
    email: { type: 'string', default: '', format: 'email', maxLength: 320, errorMessage: 'Saisissez une adresse électronique valide.' },
    password: { type: 'string', default: '', minLength: 1, maxLength: 200, errorMessage: 'Saisissez votre mot de passe.' },
  },
});

/** Where a login comes from, for the attempt log. */
export interface LoginContext {
  ip?: string | null;
  userAgent?: string | null;
  now?: Date;
}

/** Checks e-mail and password with lockout; returns a new session token. */
export async function loginWithPassword(em: EntityManager, tenantSlug: string, body: unknown, context: LoginContext = {}): Promise<{ token: string; agentId: string }> {
  const { email: rawEmail, password } = validateLogin(body);
  const email = rawEmail.trim().toLowerCase();
  const now = context.now ?? new Date();
  const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);

  const lockedFor = await lockRemainingMs(em, tenant.id, email, now);
  if (lockedFor > 0) {
    await writeAudit(em, { tenantId: tenant.id, action: 'auth.login', target: email, outcome: 'refused', data: { reason: 'locked', ip: context.ip } });
    throw new LockedOutError(lockedFor / 1000);
  }

  const [agent] = await sql<{ id: string; password_hash: string | null; active: boolean }>(
    em,
    'select id, password_hash, active from agent where tenant_id = ? and email = ?',
    [tenant.id, email],
  );
  const ok = (await verifyPassword(agent?.password_hash, password)) && !!agent?.password_hash && agent.active;
  await sql(em, 'insert into login_attempt (id, tenant_id, email, succeeded, ip, at) values (?, ?, ?, ?, ?, ?)', [
    randomUUID(), tenant.id, email, ok, context.ip ?? null, now,
  ]);
  await writeAudit(em, { tenantId: tenant.id, agentId: ok ? agent.id : null, action: 'auth.login', target: email, outcome: ok ? 'ok' : 'refused', data: { ip: context.ip } });
  if (!ok) throw new UnauthenticatedError('Adresse électronique ou mot de passe incorrect.');
  const token = await createSession(em, tenant.id, agent.id, { via: 'password', userAgent: context.userAgent, now });
  return { token, agentId: agent.id };
}

/** How long the account stays locked: failures since the last success, inside the window, counted from the latest. */
export async function lockRemainingMs(em: EntityManager, tenantId: string, email: string, now = new Date()): Promise<number> {
  const [row] = await sql<{ failures: number; latest: Date | null }>(
    em,
    `select count(*)::int as failures, max(at) as latest from login_attempt
      where tenant_id = ? and email = ? and not succeeded and at > ?
        and at > coalesce((select max(at) from login_attempt where tenant_id = ? and email = ? and succeeded), '-infinity')`,
    [tenantId, email, new Date(now.getTime() - LOCKOUT_WINDOW_MS), tenantId, email],
  );
  if (row.failures < MAX_FAILED_LOGINS || !row.latest) return 0;
  return Math.max(0, new Date(row.latest).getTime() + LOCKOUT_WINDOW_MS - now.getTime());
}
