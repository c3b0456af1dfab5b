import { EntitySchema } from '@mikro-orm/core';
import { createdAt, timestamptz, uuidKey } from './columns';
import { CitizenRequest } from './request';
import { Department, Tenant } from './tenant';

/** A reusable answer from the template library. */
export class AnswerTemplate {
  id!: string;
  tenant!: Tenant;
  department?: Department;
  slug!: string;
  title!: string;
  body!: string;
}

/** Per-tenant override of an outgoing message text. */
export class MessageTemplate {
  id!: string;
  tenant!: Tenant;
  key!: string;
  channel!: string;
  subject?: string;
  body!: string;
}

/** Outgoing message channels. */
export type NotificationChannel = 'email' | 'sms' | 'post';

/** One outgoing e-mail (or letter), unique by its idempotency key; an SMS is an `sms_message`, with its own status. */
export class Notification {
  id!: string;
  tenant!: Tenant;
  request?: CitizenRequest;
  idempotencyKey!: string;
  channel!: NotificationChannel;
  recipient!: string;
  template!: string;
  subject?: string;
  /**
   * `bounced`: the SMTP server accepted it, then a delivery status notification came back (RFC 3464) saying it failed;
   * `delivered`: a report said it arrived.
   */
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'uncertain' | 'bounced' | 'delivered' = 'pending';
  providerId?: string;
  error?: string;
  createdAt: Date = new Date();
  sentAt?: Date;
  /** Our Message-ID, without angle brackets: a reply's In-Reply-To finds the request by it. */
  messageId?: string;
  /** The SMTP server's reply line when it accepted the message. */
  smtpResponse?: string;
  bouncedAt?: Date;
  /** The DSN status code (`5.1.1`). */
  bounceStatus?: string;
}

export const AnswerTemplateSchema = new EntitySchema<AnswerTemplate>({
  class: AnswerTemplate,
  tableName: 'answer_template',
  uniques: [{ properties: ['tenant', 'slug'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    department: { kind: 'm:1', entity: () => Department, nullable: true, deleteRule: 'set null' },
    slug: { type: 'string', length: 63 },
    title: { type: 'string', length: 200 },
    body: { type: 'text' },
  },
});

export const MessageTemplateSchema = new EntitySchema<MessageTemplate>({
  class: MessageTemplate,
  tableName: 'message_template',
  uniques: [{ properties: ['tenant', 'key', 'channel'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    key: { type: 'string', length: 63 },
    channel: { type: 'string', length: 20 },
    subject: { type: 'string', length: 300, nullable: true },
    body: { type: 'text' },
  },
});

export const NotificationSchema = new EntitySchema<Notification>({
  class: Notification,
  tableName: 'notification',
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    request: { kind: 'm:1', entity: () => CitizenRequest, nullable: true, deleteRule: 'cascade', index: true },
    idempotencyKey: { type: 'string', length: 300, unique: true },
    channel: { type: 'string', length: 10 },
    recipient: { type: 'string', length: 320 },
    template: { type: 'string', length: 63 },
    subject: { type: 'string', length: 300, nullable: true },
    status: { type: 'string', length: 20, default: 'pending' },
    providerId: { type: 'string', length: 200, nullable: true },
    error: { type: 'text', nullable: true },
    createdAt,
    sentAt: timestamptz({ nullable: true }),
    messageId: { type: 'string', length: 300, nullable: true, index: 'notification_message_id_index' },
    smtpResponse: { type: 'text', nullable: true },
    bouncedAt: timestamptz({ nullable: true }),
    bounceStatus: { type: 'string', length: 20, nullable: true },
  },
});
