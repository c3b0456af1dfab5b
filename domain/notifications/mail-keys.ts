import type { EntityManager } from '@mikro-orm/postgresql';
import { Notification, PasswordReset } from '@/domain/entities';

/**
 * The idempotency keys (X-Relais-Key) of every e-mail a tenant sent: its e-mail notifications and its password resets,
 * so that a mail sink shared by several tenants shows each only its own messages.
 */
export async function tenantMailKeys(em: EntityManager, tenantId: string): Promise<Set<string>> {
  const [notifications, resets] = await Promise.all([
    em.fork().find(Notification, { tenant: tenantId, channel: 'email' }, { fields: ['idempotencyKey'] }),
    em.fork().find(PasswordReset, { tenant: tenantId }, { fields: ['id'] }),
  ]);
  return new Set([...notifications.map((n) => n.idempotencyKey), ...resets.map((r) => `password-reset:${r.id}`)]);
}
