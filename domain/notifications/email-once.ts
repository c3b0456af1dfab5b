import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EmailSender } from './email-sender';

/** One e-mail to send at most once, recorded in `notification` under its idempotency key. */
export interface EmailOnce {
  tenantId: string;
  requestId: string | null;
  key: string;
  template: string;
  to: string;
  subject: string;
  body: string;
}

/** What became of it: sent now, sent before, or cut off mid-send by an earlier attempt (never repeated). */
export type EmailOnceOutcome = 'sent' | 'already_sent' | 'uncertain';

/**
 * Sends an e-mail unless its key was sent or claimed before, with the same claim as the request notifications:
 * only a pending or refused message may go out, and a message left 'sending' by a killed worker is not repeated.
 */
export async function sendEmailOnce(em: EntityManager, email: EmailSender, message: EmailOnce): Promise<EmailOnceOutcome> {
  const conn = em.getConnection();
  await conn.execute(
    `insert into notification (id, tenant_id, request_id, idempotency_key, channel, recipient, template, subject, status, created_at)
     values (?, ?, ?, ?, 'email', ?, ?, ?, 'pending', now()) on conflict (idempotency_key) do nothing`,
    [randomUUID(), message.tenantId, message.requestId, message.key, message.to, message.template, message.subject.slice(0, 300)],
  );
  const claimed = await conn.execute(`update notification set status = 'sending' where idempotency_key = ? and status in ('pending', 'failed') returning id`, [message.key]);
  if (claimed.length === 0) {
    const marked = await conn.execute(
      `update notification set status = 'uncertain', error = 'interrompu pendant l''envoi ; non renvoyé' where idempotency_key = ? and status = 'sending' returning id`,
      [message.key],
    );
    return marked.length ? 'uncertain' : 'already_sent';
  }
  try {
    const providerId = await email.send({ to: message.to, subject: message.subject, text: message.body, idempotencyKey: message.key });
    await conn.execute(`update notification set status = 'sent', provider_id = ?, sent_at = now(), error = null where idempotency_key = ?`, [providerId, message.key]);
    return 'sent';
  } catch (error) {
    // The server refused it or was not reached: nothing was accepted, so a retry is safe.
    await conn.execute(`update notification set status = 'failed', error = ? where idempotency_key = ?`, [(error as Error).message, message.key]);
    throw error;
  }
}
