import { EntitySchema, type Opt } from '@mikro-orm/core';
import { timestamptz, uuidKey } from './columns';
import { CitizenRequest } from './request';
import { Tenant } from './tenant';

/** Where an outgoing SMS stands; the check constraint `sms_message_status_check` holds the column to these values. */
export const SMS_STATUSES = ['queued', 'submitted', 'delivered', 'failed', 'expired', 'unknown'] as const;
/** One of SMS_STATUSES. */
export type SmsStatus = (typeof SMS_STATUSES)[number];

/** One outgoing SMS, unique by its idempotency key; the SMS store writes it with raw SQL (its hot path). */
export class SmsMessage {
  id!: string;
  /** No foreign key: dropped for throughput by Migration2026112908SmsForeignKeys. */
  tenant!: Tenant;
  request?: CitizenRequest;
  idempotencyKey!: string;
  template?: string;
  recipient!: string;
  sender!: string;
  text!: string;
  dataCoding!: number;
  segmentCount!: number;
  udhReference?: number;
  status!: Opt<SmsStatus>;
  smscMessageIds!: Opt<string[]>;
  error?: string;
  attempts!: Opt<number>;
  leaseUntil?: Date;
  createdAt!: Opt<Date>;
  submittedAt?: Date;
  doneAt?: Date;
}

/** One segment of an SMS that the SMSC accepted. */
export class SmsSegment {
  /** No foreign key: dropped for throughput by Migration2026112908SmsForeignKeys. */
  message!: SmsMessage;
  segmentIndex!: number;
  smscMessageId!: string;
  status!: Opt<string>;
  receipt?: Record<string, unknown>;
  acceptedAt!: Opt<Date>;
  doneAt?: Date;
}

/** A delivery receipt as received, matched to a segment or not. */
export class SmsReceipt {
  id!: string;
  smscMessageId?: string;
  status!: string;
  final!: boolean;
  source!: string;
  raw!: Record<string, unknown>;
  receivedAt!: Opt<Date>;
}

/** A mobile-originated SMS and what the intake made of it. */
export class SmsInbound {
  id!: string;
  tenant?: Tenant;
  sender!: string;
  recipient!: string;
  text!: string;
  dedupeHash!: string;
  segmentCount!: Opt<number>;
  outcome!: Opt<string>;
  /** The request it filed or joined; a plain id, without a foreign key. */
  requestId?: string;
  detail?: string;
  receivedAt!: Opt<Date>;
  handledAt?: Date;
}

/** A phone number that answered STOP: no SMS goes to it any more. */
export class SmsOptOut {
  id!: string;
  tenant!: Tenant;
  phone!: string;
  createdAt!: Opt<Date>;
}

export const SmsMessageSchema = new EntitySchema<SmsMessage>({
  class: SmsMessage,
  tableName: 'sms_message',
  indexes: [{ name: 'sms_message_tenant_created_idx', properties: ['tenant', 'createdAt'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, createForeignKeyConstraint: false },
    request: { kind: 'm:1', entity: () => CitizenRequest, nullable: true, deleteRule: 'cascade', index: true },
    idempotencyKey: { type: 'string', length: 300, unique: true },
    template: { type: 'string', length: 63, nullable: true },
    recipient: { type: 'string', length: 32 },
    sender: { type: 'string', length: 20 },
    text: { type: 'text' },
    dataCoding: { type: 'smallint' },
    segmentCount: { type: 'integer' },
    udhReference: { type: 'integer', nullable: true },
    // An enum to the ORM: it reads the check constraint back as the column's allowed values.
    status: { enum: true, items: [...SMS_STATUSES], columnType: 'varchar(20)', default: 'queued' },
    smscMessageIds: { type: 'text[]', default: '{}' },
    error: { type: 'text', nullable: true },
    attempts: { type: 'integer', default: 1 },
    leaseUntil: timestamptz({ nullable: true }),
    createdAt: timestamptz({ now: true }),
    submittedAt: timestamptz({ nullable: true }),
    doneAt: timestamptz({ nullable: true }),
  },
});

export const SmsSegmentSchema = new EntitySchema<SmsSegment>({
  class: SmsSegment,
  tableName: 'sms_segment',
  properties: {
    message: { kind: 'm:1', entity: () => SmsMessage, primary: true, fieldName: 'sms_message_id', createForeignKeyConstraint: false },
    segmentIndex: { type: 'integer', primary: true },
    smscMessageId: { type: 'string', length: 100, index: true },
    status: { type: 'string', length: 20, default: 'submitted' },
    receipt: { type: 'json', nullable: true },
    acceptedAt: timestamptz({ now: true }),
    doneAt: timestamptz({ nullable: true }),
  },
});

export const SmsReceiptSchema = new EntitySchema<SmsReceipt>({
  class: SmsReceipt,
  tableName: 'sms_receipt',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    smscMessageId: { type: 'string', length: 100, nullable: true, index: true },
    status: { type: 'string', length: 20 },
    final: { type: 'boolean' },
    source: { type: 'string', length: 10 },
    raw: { type: 'json' },
    receivedAt: timestamptz({ now: true }),
  },
});

export const SmsInboundSchema = new EntitySchema<SmsInbound>({
  class: SmsInbound,
  tableName: 'sms_inbound',
  indexes: [{ name: 'sms_inbound_dedupe_idx', properties: ['dedupeHash', 'receivedAt'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, nullable: true, deleteRule: 'cascade' },
    sender: { type: 'string', length: 32 },
    recipient: { type: 'string', length: 32 },
    text: { type: 'text' },
    dedupeHash: { type: 'string', length: 64 },
    segmentCount: { type: 'integer', default: 1 },
    outcome: { type: 'string', length: 30, default: 'received' },
    requestId: { type: 'uuid', nullable: true },
    detail: { type: 'text', nullable: true },
    receivedAt: timestamptz({ now: true }),
    handledAt: timestamptz({ nullable: true }),
  },
});

export const SmsOptOutSchema = new EntitySchema<SmsOptOut>({
  class: SmsOptOut,
  tableName: 'sms_opt_out',
  uniques: [{ properties: ['tenant', 'phone'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    phone: { type: 'string', length: 32 },
    createdAt: timestamptz({ now: true }),
  },
});
