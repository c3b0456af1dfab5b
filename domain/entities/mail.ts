import { BigIntType, EntitySchema, type Opt } from '@mikro-orm/core';
import { timestamptz, uuidKey } from './columns';
import { CitizenRequest } from './request';
import { Tenant } from './tenant';

/** What became of an inbound e-mail. */
export const INBOUND_EMAIL_OUTCOMES = ['received', 'request', 'reply', 'quarantined', 'refused', 'ignored', 'bounce', 'released'] as const;
/** One of INBOUND_EMAIL_OUTCOMES. */
export type InboundEmailOutcome = (typeof INBOUND_EMAIL_OUTCOMES)[number];

/** An attachment of an inbound e-mail as the case shows it: kept (with its attachment id) or refused with a reason. */
export interface InboundAttachmentRecord {
  name: string;
  type: string;
  size: number;
  attachmentId?: string;
  refusedReason?: string;
}

/** An e-mail received by the SMTP listener or the IMAP poller, and what the intake made of it. */
export class InboundEmail {
  id!: string;
  tenant?: Tenant;
  source!: 'smtp' | 'imap' | 'dev';
  envelopeFrom?: string;
  envelopeTo!: Opt<string[]>;
  messageId?: string;
  fromAddress?: string;
  fromName?: string;
  subject?: string;
  body?: string;
  /** Tenant and Message-ID (or the content's hash without one): a redelivered or re-polled message is the same row. */
  dedupeKey!: string;
  outcome!: Opt<InboundEmailOutcome>;
  /** Why it was quarantined, refused or ignored, in French. */
  reason?: string;
  request?: CitizenRequest;
  /** The closed request a reply was about, when it opened a new one. */
  linkedRequest?: CitizenRequest;
  /** The outgoing e-mail a delivery report is about. */
  notificationId?: string;
  /** SPF, DKIM and DMARC results (mailauth). */
  auth!: Opt<Record<string, unknown>>;
  attachments!: Opt<InboundAttachmentRecord[]>;
  size!: Opt<number>;
  receivedAt!: Opt<Date>;
  /** When the SMTP listener took the message (its arrival); absent for IMAP and development messages. */
  queuedAt?: Date;
  handledAt?: Date;
  reviewedAt?: Date;
  reviewedBy?: string;
  reviewDecision?: string;
}

/** How far the IMAP poller has read a tenant's mailbox: a restart resumes after lastUid, a new uidValidity starts over. */
export class ImapMailboxState {
  tenant!: Tenant;
  mailbox!: string;
  uidValidity!: string;
  lastUid!: Opt<string>;
  updatedAt!: Opt<Date>;
}

/** A message the SMTP listener accepted and the intake has not filed yet; deleted once filed. */
export class InboundSpoolEntry {
  id!: string;
  raw!: Buffer;
  envelope!: Record<string, unknown>;
  queuedAt!: Opt<Date>;
  attempts!: Opt<number>;
  nextAttemptAt!: Opt<Date>;
  /** A drainer holds the message until then; past it, another drainer may take it (the first one died). */
  claimedUntil?: Date;
  lastError?: string;
}

const requestLink = (column: string) =>
  ({
    kind: 'm:1',
    entity: () => CitizenRequest,
    nullable: true,
    deleteRule: 'set null',
    updateRule: 'cascade',
    foreignKeyName: `inbound_email_${column}_fkey`,
  }) as const;

export const InboundEmailSchema = new EntitySchema<InboundEmail>({
  class: InboundEmail,
  tableName: 'inbound_email',
  indexes: [
    { name: 'inbound_email_tenant_outcome_idx', properties: ['tenant', 'outcome', 'receivedAt'] },
    { name: 'inbound_email_sender_idx', properties: ['tenant', 'fromAddress', 'receivedAt'] },
    { name: 'inbound_email_request_id_index', properties: ['request'] },
  ],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, nullable: true, deleteRule: 'cascade', updateRule: 'cascade', foreignKeyName: 'inbound_email_tenant_id_fkey' },
    source: { type: 'string', length: 10 },
    envelopeFrom: { type: 'string', length: 320, nullable: true },
    envelopeTo: { type: 'text[]', default: '{}' },
    messageId: { type: 'string', length: 998, nullable: true },
    fromAddress: { type: 'string', length: 320, nullable: true },
    fromName: { type: 'string', length: 200, nullable: true },
    subject: { type: 'string', length: 300, nullable: true },
    body: { type: 'text', nullable: true },
    dedupeKey: { type: 'string', length: 200, unique: 'inbound_email_dedupe_key_unique' },
    outcome: { type: 'string', length: 20, default: 'received' },
    reason: { type: 'text', nullable: true },
    request: { ...requestLink('request_id'), index: false },
    linkedRequest: requestLink('linked_request_id'),
    notificationId: { type: 'uuid', nullable: true },
    auth: { type: 'json', default: '{}' },
    attachments: { type: 'json', default: '[]' },
    size: { type: 'integer', default: 0 },
    receivedAt: timestamptz({ now: true }),
    queuedAt: timestamptz({ nullable: true }),
    handledAt: timestamptz({ nullable: true }),
    reviewedAt: timestamptz({ nullable: true }),
    reviewedBy: { type: 'uuid', nullable: true },
    reviewDecision: { type: 'string', length: 20, nullable: true },
  },
});

export const ImapMailboxStateSchema = new EntitySchema<ImapMailboxState>({
  class: ImapMailboxState,
  tableName: 'imap_mailbox_state',
  properties: {
    tenant: { kind: 'm:1', entity: () => Tenant, primary: true, deleteRule: 'cascade', updateRule: 'cascade', foreignKeyName: 'imap_mailbox_state_tenant_id_fkey' },
    mailbox: { type: 'string', length: 200, primary: true },
    // Read as strings, as the class declares them (the driver's default would be a JavaScript bigint).
    uidValidity: { type: new BigIntType('string') },
    lastUid: { type: new BigIntType('string'), default: 0 },
    updatedAt: timestamptz({ now: true }),
  },
});

export const InboundSpoolEntrySchema = new EntitySchema<InboundSpoolEntry>({
  class: InboundSpoolEntry,
  tableName: 'inbound_spool',
  indexes: [{ name: 'inbound_spool_next_attempt_idx', properties: ['nextAttemptAt'] }],
  properties: {
    id: uuidKey,
    raw: { type: 'blob' },
    envelope: { type: 'json' },
    queuedAt: timestamptz({ now: true }),
    attempts: { type: 'integer', default: 0 },
    nextAttemptAt: timestamptz({ now: true }),
    claimedUntil: timestamptz({ nullable: true }),
    lastError: { type: 'text', nullable: true },
  },
});
