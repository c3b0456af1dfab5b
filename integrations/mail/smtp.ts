import nodemailer, { type Transporter } from 'nodemailer';
import { env } from '@/domain/env';
import { bracketed, stableMessageId, type EmailSender } from '@/domain/notifications/email-sender';

export type { EmailSender, OutgoingEmail, SentEmail } from '@/domain/notifications/email-sender';

/**
 * An SMTP sender through nodemailer, pooled for throughput. Message-IDs are on the inbound domain, so that a reply's
 * In-Reply-To names one of ours.
 */
export function createSmtpSender(smtpUrl: string, from: string, messageDomain = env().INBOUND_MAIL_DOMAIN): EmailSender {
  const url = new URL(smtpUrl);
  const transport: Transporter = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || 25),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    pool: true,
    maxConnections: 5,
    tls: { rejectUnauthorized: url.searchParams.get('tls') !== 'insecure' },
  });
  return {
    async send(message) {
      const messageId = message.messageId ?? stableMessageId(message.idempotencyKey, messageDomain);
      const info = await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        messageId: bracketed(messageId),
        inReplyTo: message.inReplyTo ? bracketed(message.inReplyTo) : undefined,
        references: message.references?.length ? message.references.map(bracketed) : undefined,
        replyTo: message.replyTo,
        // The header From stays the deployment's sender; only the envelope carries the bounce address (VERP).
        envelope: message.envelopeFrom ? { from: message.envelopeFrom, to: [message.to] } : undefined,
        headers: { ...message.headers, 'X-Relais-Key': message.idempotencyKey },
        attachments: message.attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
      });
      return { messageId, response: String(info.response ?? '') };
    },
    close: () => transport.close(),
  };
}
