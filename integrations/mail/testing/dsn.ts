import { randomUUID } from 'node:crypto';

/** One recipient's fate in a test delivery report. */
export interface DsnRecipient {
  recipient: string;
  action: 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';
  status: string;
  diagnostic?: string;
}

/** What a test delivery report is about. */
export interface DsnOptions {
  /** The envelope sender of the original message: the report is sent there. */
  to: string;
  /** The original message's Message-ID, without angle brackets. */
  originalMessageId: string;
  originalSubject?: string;
  recipients: DsnRecipient[];
  reportingMta?: string;
}

/** A delivery status notification as a mail server writes it (RFC 3464: multipart/report; report-type=delivery-status). */
export function buildDsn(options: DsnOptions): Buffer {
  const boundary = `dsn-${randomUUID()}`;
  const mta = options.reportingMta ?? 'mx.exemple.fr';
  const failed = options.recipients.some((r) => r.action === 'failed');
  const perRecipient = options.recipients
    .map((r) =>
      [
        `Final-Recipient: rfc822; ${r.recipient}`,
        `Original-Recipient: rfc822;${r.recipient}`,
        `Action: ${r.action}`,
        `Status: ${r.status}`,
        `Remote-MTA: dns; ${mta}`,
        r.diagnostic ? `Diagnostic-Code: smtp; ${r.diagnostic}` : undefined,
        `Last-Attempt-Date: ${new Date().toUTCString()}`,
      ]
        .filter(Boolean)
        .join('\r\n'),
    )
    .join('\r\n\r\n');
  const lines = [
    `From: MAILER-DAEMON@${mta} (Mail Delivery System)`,
    `To: ${options.to}`,
    `Subject: ${failed ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)'}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@${mta}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `This is the mail system at host ${mta}.`,
    '',
    failed ? "I'm sorry to have to inform you that your message could not be delivered to one or more recipients." : 'Your message could not be delivered yet; the mail system will keep trying.',
    '',
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${mta}`,
    `X-Postfix-Queue-ID: 4F2B1${Math.floor(Math.random() * 1000)}`,
    `Arrival-Date: ${new Date().toUTCString()}`,
    '',
    perRecipient,
    '',
    `--${boundary}`,
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: <${options.originalMessageId}>`,
    `Subject: ${options.originalSubject ?? 'Votre demande'}`,
    `To: ${options.recipients[0]?.recipient ?? ''}`,
    '',
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}
