import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { compileValidator, InputError } from '@/domain/validation';
import { Agent, LoginAttempt, PasswordReset, Tenant } from '@/domain/entities';
import { assertStrongPassword, hashPassword } from './passwords';
import { destroyAgentSessions } from './sessions';
import { hashToken, newSecretToken } from './tokens';

/** A reset link is valid this long, once. */
export const RESET_TOKEN_TTL_MS = 60 * 60_000;

/** Sends the reset e-mail (SMTP in the app, a recorder in tests). */
export type SendResetMail = (message: { to: string; subject: string; text: string; idempotencyKey: string }) => Promise<unknown>;

/** Validates the body of a reset request. */
export const validateResetRequest = compileValidator<{ email: string }>({
  type: 'object',
  additionalProperties: false,
  properties: { email: { type: 'string', default: '', format: 'email', maxLength: 320, errorMessage: 'Saisissez une adresse électronique valide.' } },
});

/** Validates the body that sets a new password. */
export const validateResetCompletion = compileValidator<{ token: string; password: string }>({
  type: 'object',
  additionalProperties: false,
  properties: {
    token: { type: 'string', default: '', minLength: 20, maxLength: 100, errorMessage: 'Lien de réinitialisation invalide.' },
    password: { type: 'string', default: '', maxLength: 200, errorMessage: 'Mot de passe invalide.' },
  },
});

/** E-mails a single-use reset link when the address is an active agent; says nothing either way. */
export async function requestPasswordReset(
  em: EntityManager,
  tenantSlug: string,
  body: unknown,
  deps: { publicUrl: string; send: SendResetMail; now?: Date },
): Promise<void> {
  const email = validateResetRequest(body).email.trim().toLowerCase();
  const now = deps.now ?? new Date();
  const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);
  const agent = await em.findOne(Agent, { tenant, email, active: true });
  await writeAudit(em, { tenantId: tenant.id, agentId: agent?.id ?? null, action: 'auth.reset_requested', target: email, outcome: agent ? 'ok' : 'refused' });
  if (!agent) return;
  const token = newSecretToken();
  const id = randomUUID();
  await em.insert(PasswordReset, { id, tenant, agent, tokenHash: hashToken(token), createdAt: now, expiresAt: new Date(now.getTime() + RESET_TOKEN_TTL_MS) });
  const link = new URL(`/console/${encodeURIComponent(tenantSlug)}/mot-de-passe?jeton=${token}`, deps.publicUrl).toString();
  await deps.send({
    to: email,
    idempotencyKey: `password-reset:${id}`,
    subject: `${tenant.name} — réinitialisation de votre mot de passe`,
    text: `Bonjour ${agent.name},

Une réinitialisation du mot de passe de votre compte de la console Relais a été demandée.
Pour choisir un nouveau mot de passe, ouvrez ce lien (valable une heure, une seule fois) :
${link}

Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.

${tenant.name}`,
  });
}

/** Sets a new password from a reset token; ends every session and lifts the lockout. */
export async function completePasswordReset(em: EntityManager, tenantSlug: string, body: unknown, now = new Date()): Promise<void> {
  const { token, password } = validateResetCompletion(body);
  assertStrongPassword(password);
  const reset = await em.findOne(
    PasswordReset,
    { tenant: { slug: tenantSlug }, tokenHash: hashToken(token), usedAt: null, expiresAt: { $gt: now } },
    { populate: ['agent'] },
  );
  if (!reset) throw new InputError([{ path: '/token', message: 'Ce lien de réinitialisation est invalide, expiré ou déjà utilisé. Demandez-en un nouveau.' }]);
  const passwordHash = await hashPassword(password);
  await em.transactional(async (tx) => {
    // Marked used first and conditionally, so two concurrent uses of one link cannot both succeed.
    const used = await tx.nativeUpdate(PasswordReset, { id: reset.id, usedAt: null }, { usedAt: now });
    if (used === 0) throw new InputError([{ path: '/token', message: 'Ce lien de réinitialisation a déjà été utilisé.' }]);
    const { agent, tenant } = reset;
    await tx.nativeUpdate(Agent, { id: agent.id }, { passwordHash });
    await tx.insert(LoginAttempt, { id: randomUUID(), tenant, email: agent.email, succeeded: true, ip: null, at: now });
    await destroyAgentSessions(tx, agent.id);
    await writeAudit(tx, { tenantId: tenant.id, agentId: agent.id, action: 'auth.password_reset', target: agent.email });
  });
}
