import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { deploymentMailTokens } from '@/domain/mail/deployment';
import { stableMessageId, type EmailAttachment, type EmailSender } from './email-sender';

/** One e-mail to send at most once, recorded in `notification` under its idempotency key. */
export interface EmailOnce {
  tenantId: string;
  requestId: string | null;
  key: string;
  template: string;
  to: string;
  subject: string;
  body: string;
  /** Where the recipient's reply goes; absent for staff and system mail (the no-reply sender). */
  replyTo?: string;
  /** The conversation this message belongs to, oldest first, without angle brackets; In-Reply-To is the last. */
  references?: string[];
  /** More header fields (List-Unsubscribe and List-Unsubscribe-Post on information e-mail). */
  headers?: Record<string, string>;
  /** Files sent with it; loaded by the caller, never kept in the notification record. */
  attachments?: EmailAttachment[];
}

/** What became of it: sent now, sent before, or cut off mid-send by an earlier attempt (never repeated). */
export type EmailOnceOutcome = 'sent' | 'already_sent' | 'uncertain';

/**
 * Sends an e-mail unless its key was sent or claimed before, with the same claim as the request notifications:
 * only a pending or refused message may go out, and a message left 'sending' by a killed worker is not repeated.
 * The envelope sender is the notification's own bounce address (VERP), so a delivery report names its record.
 */
export async function sendEmailOnce(em: EntityManager, email: EmailSender, message: EmailOnce): Promise<EmailOnceOutcome> {
  const conn = em.getConnection();
  const tokens = deploymentMailTokens();
  // Known before sending: a reply to a message cut off mid-send still finds its request by In-Reply-To.
  const messageId = stableMessageId(message.key, tokens.domain);
  await conn.execute(
    `insert into notification (id, tenant_id, request_id, idempotency_key, channel, recipient, template, subject, status, message_id, created_at)
     values (?, ?, ?, ?, 'email', ?, ?, ?, 'pending', ?, now()) on conflict (idempotency_key) do nothing`,
    [randomUUID(), message.tenantId, message.requestId, message.key, message.to, message.template, message.subject.slice(0, 300), messageId],
  );
  const claimed = await conn.execute<Array<{ id: string }>>(
    `update notification set status = 'sending', message_id = coalesce(message_id, ?) where idempotency_key = ? and status in ('pending', 'failed') returning id`,
    [messageId, message.key],
  );
  if (claimed.length === 0) {
    const marked = await conn.execute(
      `update notification set status = 'uncertain', error = 'interrompu pendant l''envoi ; non renvoyé' where idempotency_key = ? and status = 'sending' returning id`,
      [message.key],
    );
    return marked.length ? 'uncertain' : 'already_sent';
  }
  const references = message.references ?? [];
  try {
    const sent = await email.send({
      to: message.to,
      subject: message.subject,
      text: message.body,
      idempotencyKey: message.key,
      messageId,
      replyTo: message.replyTo,
      references: references.length ? references : undefined,
      inReplyTo: references.at(-1),
      envelopeFrom: tokens.bounceAddress(claimed[0].id),
      headers: message.headers,
      attachments: message.attachments,
    });
    await conn.execute(
      `update notification set status = 'sent', provider_id = ?, message_id = ?, smtp_response = ?, sent_at = now(), error = null where idempotency_key = ?`,
      [sent.messageId, sent.messageId, sent.response.slice(0, 2000), message.key],
    );
    return 'sent';
  } catch (error) {
    // The server refused it or was not reached: nothing was accepted, so a retry is safe.
    await conn.execute(`update notification set status = 'failed', error = ? where idempotency_key = ?`, [(error as Error).message, message.key]);
    throw error;
  }
}
