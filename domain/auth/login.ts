import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { compileValidator } from '@/domain/validation';
import { Agent, LoginAttempt, Tenant } from '@/domain/entities';
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

  const agent = await em.findOne(Agent, { tenant, email });
  // Checked even without an agent, so that an unknown address takes as long as a wrong password.
  const passwordMatches = await verifyPassword(agent?.passwordHash, password);
  const verified = passwordMatches && agent?.passwordHash && agent.active ? agent : null;
  await em.insert(LoginAttempt, { id: randomUUID(), tenant, email, succeeded: !!verified, ip: context.ip ?? null, at: now });
  await writeAudit(em, { tenantId: tenant.id, agentId: verified?.id ?? null, action: 'auth.login', target: email, outcome: verified ? 'ok' : 'refused', data: { ip: context.ip } });
  if (!verified) throw new UnauthenticatedError('Adresse électronique ou mot de passe incorrect.');
  const token = await createSession(em, tenant.id, verified.id, { via: 'password', userAgent: context.userAgent, now });
  return { token, agentId: verified.id };
}

/** How long the account stays locked: failures since the last success, inside the window, counted from the latest. */
export async function lockRemainingMs(em: EntityManager, tenantId: string, email: string, now = new Date()): Promise<number> {
  const windowStart = new Date(now.getTime() - LOCKOUT_WINDOW_MS);
  const lastSuccess = await em.findOne(LoginAttempt, { tenant: tenantId, email, succeeded: true }, { orderBy: { at: 'desc' }, fields: ['at'] });
  const since = lastSuccess && lastSuccess.at > windowStart ? lastSuccess.at : windowStart;
  const failures = await em.find(LoginAttempt, { tenant: tenantId, email, succeeded: false, at: { $gt: since } }, { orderBy: { at: 'desc' }, fields: ['at'] });
  if (failures.length < MAX_FAILED_LOGINS) return 0;
  return Math.max(0, failures[0].at.getTime() + LOCKOUT_WINDOW_MS - now.getTime());
}
