import { EntitySchema } from '@mikro-orm/core';
import type { EscalationCascade } from '@/domain/deadlines/escalation';
import type { RequestLimits } from '@/domain/antispam/request-limits';
import type { RetentionPolicy } from '@/domain/privacy/retention-policy';

/** Where requests land: everything to reception, or straight to the topic's department. */
export type OrganisationModel = 'centralised' | 'decentralised';

/** Per-tenant behaviour that municipalities configure. */
export interface TenantSettings {
  organisation: OrganisationModel;
  receptionDepartment?: string;
  validationRequired: boolean;
  stopClockWhileAwaitingCitizen: boolean;
  citizenNotifications: string[];
  closureDays: string[];
  timeZone: string;
  autoCloseAfter: string;
  smsNumber?: string;
  smsSenderId?: string;
  /** Topic of inbound SMS without a known keyword (default: the topic 'sms-maire'). */
  smsDefaultTopic?: string;
  contact?: { address?: string; phone?: string; email?: string; hours?: string };
  /** Personal-data retention durations; defaults in domain/privacy/retention-policy.ts. */
  retention?: Partial<RetentionPolicy>;
  /** Origins of the municipality's own web sites that may embed the portal and call the public API from a browser. */
  allowedOrigins?: string[];
  /** Hourly limits of the public API; defaults in domain/antispam/request-limits.ts. */
  limits?: Partial<RequestLimits>;
  /** Texts of the portal's privacy page and accessibility statement; French defaults in domain/privacy/legal.ts. */
  legal?: LegalSettings;
}

/** RGAA conformity status of the portal, as the accessibility statement declares it. */
export type AccessibilityStatus = 'non_conforme' | 'partiellement_conforme' | 'totalement_conforme';

/** What a tenant administrator may set on the privacy page and the accessibility statement. */
export interface LegalSettings {
  privacyText?: string;
  /** How to reach the data protection officer (RGPD art. 13): an e-mail or postal address. */
  dpoContact?: string;
  accessibilityStatus?: AccessibilityStatus;
  accessibilityText?: string;
  /** Date of the accessibility audit (YYYY-MM-DD). */
  auditDate?: string;
}

/** Colours, logo and texts of a municipality's portal. */
export interface TenantBranding {
  primaryColor: string;
  accentColor?: string;
  logoUrl?: string;
  welcomeText?: string;
  websiteUrl?: string;
}

/** A municipality (or other authority) served by the deployment. */
export class Tenant {
  id!: string;
  slug!: string;
  name!: string;
  hostnames: string[] = [];
  branding!: TenantBranding;
  settings!: TenantSettings;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

/** A department (service) of a tenant that handles requests. */
export class Department {
  id!: string;
  tenant!: Tenant;
  slug!: string;
  name!: string;
  email?: string;
  escalation?: EscalationCascade;
  createdAt: Date = new Date();
}

/** Role of an agent inside one department. */
export type DepartmentRole = 'agent' | 'validator' | 'head';

/** A municipal agent who logs into the console. */
export class Agent {
  id!: string;
  tenant!: Tenant;
  email!: string;
  name!: string;
  passwordHash?: string;
  isAdmin = false;
  /** Data protection officer: may search, export and erase a person's data across the tenant. */
  isDpo = false;
  active = true;
  createdAt: Date = new Date();
}

/** The roles an agent holds in a department. */
export class AgentRole {
  id!: string;
  agent!: Agent;
  department!: Department;
  role!: DepartmentRole;
}

/** What kind of request a topic produces. */
export type RequestKind = 'question' | 'document' | 'registration' | 'purchase' | 'subscription';

/** A qualification chosen by the citizen; it decides the department and the delay. */
export class Topic {
  id!: string;
  tenant!: Tenant;
  slug!: string;
  label!: string;
  department!: Department;
  kind: RequestKind = 'question';
  delay!: string;
  businessDays = false;
  validationRequired = false;
  smsKeyword?: string;
  form?: string;
  position = 0;
  active = true;
}

/** Lifecycle states of a request (labels in French live in the UI). */
export const REQUEST_STATES = [
  'received',
  'in_progress',
  'transferred',
  'awaiting_citizen',
  'awaiting_validation',
  'awaiting_payment',
  'answered',
  'closed',
  'rejected',
] as const;
/** One of REQUEST_STATES. */
export type RequestState = (typeof REQUEST_STATES)[number];

/** How the request reached the town hall. */
export type IntakeChannel = 'web' | 'email' | 'sms' | 'form' | 'counter' | 'phone';
/** How the citizen wants to be answered. */
export type ReplyChannel = 'email' | 'sms' | 'post';

/** How to reach the citizen. */
export interface CitizenContact {
  name?: string;
  email?: string;
  phone?: string;
  postalAddress?: string;
}

/** The case record of one citizen request; the workflow is the source of truth for its state. */
export class CitizenRequest {
  id!: string;
  tenant!: Tenant;
  reference!: string;
  trackingCodeHash!: string;
  kind: RequestKind = 'question';
  channel!: IntakeChannel;
  replyChannel!: ReplyChannel;
  topic!: Topic;
  subject!: string;
  body!: string;
  formData?: Record<string, unknown>;
  formVersion?: number;
  citizen!: CitizenContact;
  state: RequestState = 'received';
  department!: Department;
  dueAt!: Date;
  receivedAt!: Date;
  answeredAt?: Date;
  closedAt?: Date;
  answer?: string;
  /** Set once the GDPR anonymisation has replaced the citizen's data (domain/privacy/anonymise.ts). */
  anonymisedAt?: Date;
  workflowId!: string;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

/** One entry of the append-only audit trail of a request. */
export class RequestEvent {
  id!: string;
  tenant!: Tenant;
  request!: CitizenRequest;
  key!: string;
  type!: string;
  public = false;
  actor?: string;
  state?: RequestState;
  data: Record<string, unknown> = {};
  createdAt: Date = new Date();
}

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
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'uncertain' = 'pending';
  providerId?: string;
  error?: string;
  createdAt: Date = new Date();
  sentAt?: Date;
}

const uuid = { type: 'uuid', primary: true } as const;
const createdAt = { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() } as const;

export const TenantSchema = new EntitySchema<Tenant>({
  class: Tenant,
  tableName: 'tenant',
  properties: {
    id: uuid,
    slug: { type: 'string', length: 63, unique: true },
    name: { type: 'string', length: 200 },
    hostnames: { type: 'json' },
    branding: { type: 'json' },
    settings: { type: 'json' },
    createdAt,
    updatedAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});

export const DepartmentSchema = new EntitySchema<Department>({
  class: Department,
  tableName: 'department',
  uniques: [{ properties: ['tenant', 'slug'] }],
  properties: {
    id: uuid,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    slug: { type: 'string', length: 63 },
    name: { type: 'string', length: 200 },
    email: { type: 'string', length: 320, nullable: true },
    escalation: { type: 'json', nullable: true },
    createdAt,
  },
});

export const AgentSchema = new EntitySchema<Agent>({
  class: Agent,
  tableName: 'agent',
  uniques: [{ properties: ['tenant', 'email'] }],
  properties: {
    id: uuid,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    email: { type: 'string', length: 320 },
    name: { type: 'string', length: 200 },
    passwordHash: { type: 'text', nullable: true },
    isAdmin: { type: 'boolean', default: false },
    isDpo: { type: 'boolean', default: false },
    active: { type: 'boolean', default: true },
    createdAt,
  },
});

export const AgentRoleSchema = new EntitySchema<AgentRole>({
  class: AgentRole,
  tableName: 'agent_role',
  uniques: [{ properties: ['agent', 'department', 'role'] }],
  properties: {
    id: uuid,
    agent: { kind: 'm:1', entity: () => Agent, deleteRule: 'cascade' },
    department: { kind: 'm:1', entity: () => Department, deleteRule: 'cascade', index: true },
    role: { type: 'string', length: 20 },
  },
});

export const TopicSchema = new EntitySchema<Topic>({
  class: Topic,
  tableName: 'topic',
  uniques: [{ properties: ['tenant', 'slug'] }],
  properties: {
    id: uuid,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    slug: { type: 'string', length: 63 },
    label: { type: 'string', length: 200 },
    department: { kind: 'm:1', entity: () => Department },
    kind: { type: 'string', length: 20, default: 'question' },
    delay: { type: 'string', length: 40 },
    businessDays: { type: 'boolean', default: false },
    validationRequired: { type: 'boolean', default: false },
    smsKeyword: { type: 'string', length: 30, nullable: true },
    form: { type: 'string', length: 63, nullable: true },
    position: { type: 'integer', default: 0 },
    active: { type: 'boolean', default: true },
  },
});

export const CitizenRequestSchema = new EntitySchema<CitizenRequest>({
  class: CitizenRequest,
  tableName: 'request',
  uniques: [{ properties: ['tenant', 'reference'] }],
  indexes: [
    { name: 'request_inbox_state_idx', properties: ['tenant', 'state', 'dueAt'] },
    { name: 'request_inbox_department_idx', properties: ['tenant', 'department', 'state', 'dueAt'] },
    // Keyset pages of the inbox and the French full-text index (migration Migration2026112804Search).
    { name: 'request_inbox_received_idx', expression: 'create index "request_inbox_received_idx" on "request" ("tenant_id", "received_at" desc, "id" desc)' },
    {
      name: 'request_inbox_state_received_idx',
      expression: 'create index "request_inbox_state_received_idx" on "request" ("tenant_id", "state", "received_at" desc, "id" desc)',
    },
    {
      name: 'request_inbox_department_received_idx',
      expression: 'create index "request_inbox_department_received_idx" on "request" ("tenant_id", "department_id", "received_at" desc, "id" desc)',
    },
    { name: 'request_inbox_due_idx', expression: 'create index "request_inbox_due_idx" on "request" ("tenant_id", "due_at", "id")' },
    { name: 'request_search_idx', expression: 'create index "request_search_idx" on "request" using gin ("search")' },
    {
      name: 'request_retention_idx',
      expression: `create index "request_retention_idx" on "request" ("tenant_id", "closed_at", "id") where "anonymised_at" is null and "state" in ('closed', 'rejected')`,
    },
    // Replies by SMS and a person's data are found by the citizen's number, stored in E.164.
    { name: 'request_citizen_phone_idx', expression: `create index "request_citizen_phone_idx" on "request" ("tenant_id", (citizen->>'phone'))` },
  ],
  properties: {
    id: uuid,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    reference: { type: 'string', length: 40 },
    trackingCodeHash: { type: 'string', length: 64 },
    kind: { type: 'string', length: 20 },
    channel: { type: 'string', length: 20 },
    replyChannel: { type: 'string', length: 20 },
    topic: { kind: 'm:1', entity: () => Topic },
    subject: { type: 'string', length: 300 },
    body: { type: 'text' },
    formData: { type: 'json', nullable: true },
    formVersion: { type: 'integer', nullable: true },
    citizen: { type: 'json' },
    state: { type: 'string', length: 30 },
    department: { kind: 'm:1', entity: () => Department },
    dueAt: { type: 'Date', columnType: 'timestamptz' },
    receivedAt: { type: 'Date', columnType: 'timestamptz' },
    answeredAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    closedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    answer: { type: 'text', nullable: true },
    anonymisedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    workflowId: { type: 'string', length: 200, unique: true },
    createdAt,
    updatedAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});

export const RequestEventSchema = new EntitySchema<RequestEvent>({
  class: RequestEvent,
  tableName: 'request_event',
  uniques: [{ properties: ['request', 'key'] }],
  properties: {
    id: uuid,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    request: { kind: 'm:1', entity: () => CitizenRequest, deleteRule: 'cascade' },
    key: { type: 'string', length: 200 },
    type: { type: 'string', length: 40 },
    public: { type: 'boolean', default: false },
    actor: { type: 'string', length: 200, nullable: true },
    state: { type: 'string', length: 30, nullable: true },
    data: { type: 'json' },
    createdAt,
  },
});

export const AnswerTemplateSchema = new EntitySchema<AnswerTemplate>({
  class: AnswerTemplate,
  tableName: 'answer_template',
  uniques: [{ properties: ['tenant', 'slug'] }],
  properties: {
    id: uuid,
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
    id: uuid,
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
    id: uuid,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    request: { kind: 'm:1', entity: () => CitizenRequest, nullable: true, deleteRule: 'cascade', index: true },
    idempotencyKey: { type: 'string', length: 300, unique: true },
    channel: { type: 'string', length: 10 },
    recipient: { type: 'string', length: 320 },
    template: { type: 'string', length: 63 },
    subject: { type: 'string', length: 300, nullable: true },
    status: { type: 'string', length: 20 },
    providerId: { type: 'string', length: 200, nullable: true },
    error: { type: 'text', nullable: true },
    createdAt,
    sentAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});

/** Every entity schema, in the order the ORM discovers them. */
export const ENTITIES = [
  TenantSchema,
  DepartmentSchema,
  AgentSchema,
  AgentRoleSchema,
  TopicSchema,
  CitizenRequestSchema,
  RequestEventSchema,
  AnswerTemplateSchema,
  MessageTemplateSchema,
  NotificationSchema,
];
