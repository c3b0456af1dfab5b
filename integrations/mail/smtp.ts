import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { EmailSender } from '@/domain/notifications/email-sender';

export type { EmailSender, OutgoingEmail } from '@/domain/notifications/email-sender';

/** An SMTP sender through nodemailer, pooled for throughput. */
export function createSmtpSender(smtpUrl: string, from: string): EmailSender {
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
      const info = await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        // A stable Message-ID lets receiving servers drop the copy a crash between send and record could cause.
        messageId: `<${createHash('sha256').update(message.idempotencyKey).digest('hex').slice(0, 40)}@relais>`,
        headers: { 'X-Relais-Key': message.idempotencyKey },
      });
      return info.messageId;
    },
    close: () => transport.close(),
  };
}
