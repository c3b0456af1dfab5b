// The contract between the ways e-mail comes in (SMTP listener, IMAP poller, development tools) and the mail intake.

/** How an inbound e-mail was addressed: the SMTP envelope, or the IMAP mailbox it was read from. */
export interface MailEnvelope {
  source: 'smtp' | 'imap' | 'dev';
  /** MAIL FROM; null for the null reverse-path `<>` that delivery reports use. */
  mailFrom: string | null;
  /** RCPT TO, lower-cased; for IMAP, the tenant's mailbox address. */
  rcptTo: string[];
  /** IMAP: the tenant whose mailbox held the message (its recipients are that tenant whatever the headers say). */
  tenantId?: string;
  /** SMTP: the client's address and HELO name, for SPF. */
  remoteAddress?: string;
  helo?: string;
  /** SMTP: when the listener accepted the message into the spool (ISO date), its arrival at the town hall. */
  queuedAt?: string;
}

/** What the mail intake made of one e-mail. */
export type InboundMailOutcome =
  | { kind: 'request'; inboundId: string; requestId: string; reference: string; acknowledged: boolean }
  | { kind: 'reply'; inboundId: string; requestId: string }
  | { kind: 'quarantined'; inboundId: string; reason: string }
  | { kind: 'refused'; inboundId?: string; reason: string }
  | { kind: 'ignored'; inboundId: string; reason: string }
  | { kind: 'bounce'; inboundId: string; notificationId?: string }
  | { kind: 'duplicate'; inboundId: string };

/**
 * Files one raw e-mail (RFC 5322 bytes) and says what became of it. Idempotent: the same message delivered twice (an
 * SMTP retry, a poller restart) is recorded once and files nothing twice. Throws only on a temporary failure (database
 * or Temporal unreachable), after which the sender may retry.
 */
export type ReceiveEmail = (raw: Buffer, envelope: MailEnvelope) => Promise<InboundMailOutcome>;
