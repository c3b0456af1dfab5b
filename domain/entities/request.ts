import { EntitySchema, type Opt } from '@mikro-orm/core';
import { createdAt, inlineForeignKey, timestamptz, updatedAt, uuidKey } from './columns';
import type { StartRequestInput } from '@/domain/intake/start-input';
import type { IntakeChannel, ReplyChannel, RequestKind, RequestState } from '@/domain/requests/kinds';
import { Department, Tenant, Topic } from './tenant';

export { REQUEST_STATES, type IntakeChannel, type ReplyChannel, type RequestState } from '@/domain/requests/kinds';

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
  /** The process (slug and version) the request follows; absent for a request on its topic's own settings. */
  processSlug?: string;
  processVersion?: number;
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
  /** When the citizen consented to the processing of the data they sent (the portal's checkbox). */
  consentAt?: Date;
  /** French full-text vector of subject and body, computed by PostgreSQL; never loaded unless asked for. */
  search?: unknown;
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

/** The yearly counter behind request references (row-locked by the intake). */
export class ReferenceCounter {
  tenant!: Tenant;
  year!: number;
  value!: number;
}

/** A request whose workflow is not started yet: its input waits here until Temporal has the workflow. */
export class RequestWorkflowStart {
  request!: CitizenRequest;
  tenantId!: string;
  input!: StartRequestInput;
  attempts: Opt<number> = 0;
  lastError?: string;
  createdAt!: Opt<Date>;
}

/**
 * Columns of the request's full-text vector as PostgreSQL prints them back (pg_get_expr), so that the schema comparator
 * finds the migration's expression equal to this one.
 */
const REQUEST_SEARCH_EXPRESSION =
  `(setweight(to_tsvector('french_unaccent'::regconfig, (COALESCE(subject, ''::character varying))::text), 'A'::"char") || ` +
  `setweight(to_tsvector('french_unaccent'::regconfig, "left"(COALESCE(body, ''::text), 20000)), 'B'::"char")) stored`;

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
    { name: 'request_inbox_due_idx', properties: ['tenant', 'dueAt', 'id'] },
    { name: 'request_search_idx', expression: 'create index "request_search_idx" on "request" using gin ("search")' },
    {
      name: 'request_retention_idx',
      expression: `create index "request_retention_idx" on "request" ("tenant_id", "closed_at", "id") where "anonymised_at" is null and "state" in ('closed', 'rejected')`,
    },
    // Replies by SMS and a person's data are found by the citizen's number, stored in E.164.
    { name: 'request_citizen_phone_idx', expression: `create index "request_citizen_phone_idx" on "request" ("tenant_id", (citizen->>'phone'))` },
  ],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    reference: { type: 'string', length: 40 },
    trackingCodeHash: { type: 'string', length: 64 },
    kind: { type: 'string', length: 20, default: 'question' },
    channel: { type: 'string', length: 20 },
    replyChannel: { type: 'string', length: 20 },
    topic: { kind: 'm:1', entity: () => Topic },
    subject: { type: 'string', length: 300 },
    body: { type: 'text' },
    formData: { type: 'json', nullable: true },
    formVersion: { type: 'integer', nullable: true },
    processSlug: { type: 'string', length: 63, nullable: true },
    processVersion: { type: 'integer', nullable: true },
    citizen: { type: 'json' },
    state: { type: 'string', length: 30, default: 'received' },
    department: { kind: 'm:1', entity: () => Department },
    dueAt: timestamptz(),
    receivedAt: timestamptz(),
    answeredAt: timestamptz({ nullable: true }),
    closedAt: timestamptz({ nullable: true }),
    answer: { type: 'text', nullable: true },
    workflowId: { type: 'string', length: 200, unique: true },
    createdAt,
    updatedAt,
    consentAt: timestamptz({ nullable: true }),
    search: { type: 'unknown', columnType: 'tsvector', generated: REQUEST_SEARCH_EXPRESSION, nullable: true, lazy: true, hidden: true },
    anonymisedAt: timestamptz({ nullable: true }),
  },
});

export const RequestEventSchema = new EntitySchema<RequestEvent>({
  class: RequestEvent,
  tableName: 'request_event',
  uniques: [{ properties: ['request', 'key'] }],
  properties: {
    id: uuidKey,
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

export const ReferenceCounterSchema = new EntitySchema<ReferenceCounter>({
  class: ReferenceCounter,
  tableName: 'reference_counter',
  properties: {
    tenant: { kind: 'm:1', entity: () => Tenant, primary: true, deleteRule: 'cascade', ...inlineForeignKey('reference_counter', 'tenant_id') },
    year: { type: 'integer', primary: true },
    value: { type: 'integer' },
  },
});

export const RequestWorkflowStartSchema = new EntitySchema<RequestWorkflowStart>({
  class: RequestWorkflowStart,
  tableName: 'request_workflow_start',
  properties: {
    request: {
      kind: 'm:1',
      entity: () => CitizenRequest,
      primary: true,
      deleteRule: 'cascade',
      updateRule: 'cascade',
      foreignKeyName: 'request_workflow_start_request_id_fkey',
    },
    // A copy of the request's tenant for the recovery's filters, without a constraint of its own.
    tenantId: { type: 'uuid' },
    input: { type: 'json' },
    attempts: { type: 'integer', default: 0 },
    lastError: { type: 'text', nullable: true },
    createdAt: { ...timestamptz({ now: true }), index: true },
  },
});
