import { createHash } from 'node:crypto';

/** An outgoing e-mail. Message-IDs are written without angle brackets; the adapter adds them. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  idempotencyKey: string;
  /** Our Message-ID; the adapter derives a stable one from the idempotency key when absent. */
  messageId?: string;
  /** The message this one answers: the latest of the conversation. */
  inReplyTo?: string;
  /** The conversation, oldest first. */
  references?: string[];
  /** Where the recipient's reply goes (the request's signed reply address). */
  replyTo?: string;
  /** The SMTP envelope sender (MAIL FROM): a bounce comes back there. The header From stays the deployment's sender. */
  envelopeFrom?: string;
  /** More header fields, such as List-Unsubscribe on information e-mail (RFC 8058). */
  headers?: Record<string, string>;
  /** Files sent with the message (a payment receipt). */
  attachments?: EmailAttachment[];
}

/** A file attached to an e-mail. */
export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** What the SMTP server said when it took a message. */
export interface SentEmail {
  /** Without angle brackets. */
  messageId: string;
  /** The server's reply line, e.g. `250 2.0.0 Ok: queued as 4F2B1`. */
  response: string;
}

/** Sends e-mail; resolves once the SMTP server has accepted the message. */
export interface EmailSender {
  send(message: OutgoingEmail): Promise<SentEmail>;
  close(): void;
}

/**
 * A Message-ID stable per idempotency key, without angle brackets: a resent copy carries the same id, so receiving
 * servers can drop the duplicate a crash between send and record could cause.
 */
export function stableMessageId(idempotencyKey: string, domain: string): string {
  return `${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}@${domain}`;
}

/** The angle-bracketed form headers carry. */
export function bracketed(messageId: string): string {
  return `<${messageId.replace(/^<|>$/g, '')}>`;
}
