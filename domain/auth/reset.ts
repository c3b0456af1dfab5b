import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { sql } from './db';
import { InputError, NotFoundError, compileValidator } from '@/domain/validation';
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
  const [row] = await sql<{ tenant_id: string; tenant_name: string; agent_id: string | null; name: string | null }>(
    em,
    `select t.id as tenant_id, t.name as tenant_name, a.id as agent_id, a.name from tenant t
       left join agent a on a.tenant_id = t.id and a.email = ? and a.active where t.slug = ?`,
    [email, tenantSlug],
  );
  if (!row) throw new NotFoundError(`Unknown tenant ${tenantSlug}`);
  await writeAudit(em, { tenantId: row.tenant_id, agentId: row.agent_id, action: 'auth.reset_requested', target: email, outcome: row.agent_id ? 'ok' : 'refused' });
  if (!row.agent_id) return;
  const token = newSecretToken();
  const id = randomUUID();
  await sql(em, 
    'insert into password_reset (id, tenant_id, agent_id, token_hash, created_at, expires_at) values (?, ?, ?, ?, ?, ?)',
    [id, row.tenant_id, row.agent_id, hashToken(token), now, new Date(now.getTime() + RESET_TOKEN_TTL_MS)],
  );
  const link = new URL(`/console/${encodeURIComponent(tenantSlug)}/mot-de-passe?jeton=${token}`, deps.publicUrl).toString();
  await deps.send({
    to: email,
    idempotencyKey: `password-reset:${id}`,
    subject: `${row.tenant_name} — réinitialisation de votre mot de passe`,
    text: `Bonjour ${row.name},

Une réinitialisation du mot de passe de votre compte de la console Relais a été demandée.
Pour choisir un nouveau mot de passe, ouvrez ce lien (valable une heure, une seule fois) :
${link}

Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.

${row.tenant_name}`,
  });
}

/** Sets a new password from a reset token; ends every session and lifts the lockout. */
export async function completePasswordReset(em: EntityManager, tenantSlug: string, body: unknown, now = new Date()): Promise<void> {
  const { token, password } = validateResetCompletion(body);
  assertStrongPassword(password);
  const [reset] = await sql<{ id: string; tenant_id: string; agent_id: string; email: string }>(
    em,
    `select r.id, r.tenant_id, r.agent_id, a.email from password_reset r join tenant t on t.id = r.tenant_id join agent a on a.id = r.agent_id
      where t.slug = ? and r.token_hash = ? and r.used_at is null and r.expires_at > ?`,
    [tenantSlug, hashToken(token), now],
  );
  if (!reset) throw new InputError([{ path: '/token', message: 'Ce lien de réinitialisation est invalide, expiré ou déjà utilisé. Demandez-en un nouveau.' }]);
  const passwordHash = await hashPassword(password);
  await em.transactional(async (tx) => {
    // Marked used first and conditionally, so two concurrent uses of one link cannot both succeed.
    const used = await sql(tx, 'update password_reset set used_at = ? where id = ? and used_at is null returning id', [now, reset.id]);
    if (used.length === 0) throw new InputError([{ path: '/token', message: 'Ce lien de réinitialisation a déjà été utilisé.' }]);
    await sql(tx, 'update agent set password_hash = ? where id = ?', [passwordHash, reset.agent_id]);
    await sql(tx, 'insert into login_attempt (id, tenant_id, email, succeeded, ip, at) values (?, ?, ?, true, null, ?)', [randomUUID(), reset.tenant_id, reset.email, now]);
    await destroyAgentSessions(tx, reset.agent_id);
    await writeAudit(tx, { tenantId: reset.tenant_id, agentId: reset.agent_id, action: 'auth.password_reset', target: reset.email });
  });
}
