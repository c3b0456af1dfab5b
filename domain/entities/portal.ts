import { EntitySchema, type Opt } from '@mikro-orm/core';
import { inlineForeignKey, timestamptz, uuidKey } from './columns';
import { CitizenRequest } from './request';
import { Tenant } from './tenant';

/** Who attached a file: the citizen through the portal, or an agent. */
export type AttachmentOrigin = 'citizen' | 'agent';

/** A file attached to a request; stored here so its content never travels in workflow history. */
export class Attachment {
  id!: string;
  tenant!: Tenant;
  /** Null until the intake links the upload to the request it filed. */
  request?: CitizenRequest;
  origin!: Opt<AttachmentOrigin>;
  name!: string;
  type!: string;
  size!: number;
  sha256!: string;
  content!: Buffer;
  createdAt!: Opt<Date>;
}

/** What the citizen typed, kept for an hour so that a form refused without JavaScript comes back filled in. */
export class FormDraft {
  id!: string;
  tenant!: Tenant;
  data!: Record<string, unknown>;
  createdAt!: Opt<Date>;
}

/** A portal form token already used: each token files one request. */
export class FormTokenUse {
  tokenHash!: string;
  expiresAt!: Date;
}

/** Fingerprint of a recent public request, to answer an honest duplicate with the existing reference. */
export class RequestFingerprint {
  tenant!: Tenant;
  fingerprint!: string;
  request!: CitizenRequest;
  createdAt!: Opt<Date>;
}

/** A counter of the portal's rate limits, in the layout rate-limiter-flexible's PostgreSQL store expects. */
export class PortalRateLimit {
  key!: string;
  points!: Opt<number>;
  /** Epoch milliseconds; bigint, so the driver gives a string. */
  expire?: string;
}

export const AttachmentSchema = new EntitySchema<Attachment>({
  class: Attachment,
  tableName: 'attachment',
  indexes: [
    { name: 'attachment_request_idx', properties: ['request'] },
    // Uploads not yet linked to a request, which the clean-up deletes after a while.
    { name: 'attachment_pending_idx', expression: 'create index "attachment_pending_idx" on "attachment" ("created_at") where "request_id" is null' },
  ],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade', updateRule: 'cascade', foreignKeyName: 'attachment_tenant_id_fkey' },
    request: { kind: 'm:1', entity: () => CitizenRequest, nullable: true, deleteRule: 'cascade', updateRule: 'cascade', foreignKeyName: 'attachment_request_id_fkey' },
    origin: { type: 'string', length: 20, default: 'citizen' },
    name: { type: 'string', length: 255 },
    type: { type: 'string', length: 100 },
    size: { type: 'integer' },
    sha256: { type: 'string', length: 64 },
    content: { type: 'blob', lazy: true },
    createdAt: timestamptz({ now: true }),
  },
});

export const FormDraftSchema = new EntitySchema<FormDraft>({
  class: FormDraft,
  tableName: 'form_draft',
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade', ...inlineForeignKey('form_draft', 'tenant_id') },
    data: { type: 'json' },
    createdAt: timestamptz({ now: true }),
  },
});

export const FormTokenUseSchema = new EntitySchema<FormTokenUse>({
  class: FormTokenUse,
  tableName: 'form_token_use',
  properties: {
    tokenHash: { type: 'character', length: 64, primary: true },
    expiresAt: { ...timestamptz(), index: 'form_token_use_expires_idx' },
  },
});

export const RequestFingerprintSchema = new EntitySchema<RequestFingerprint>({
  class: RequestFingerprint,
  tableName: 'request_fingerprint',
  properties: {
    tenant: { kind: 'm:1', entity: () => Tenant, primary: true, deleteRule: 'cascade', ...inlineForeignKey('request_fingerprint', 'tenant_id') },
    fingerprint: { type: 'character', length: 64, primary: true },
    request: {
      kind: 'm:1',
      entity: () => CitizenRequest,
      deleteRule: 'cascade',
      index: 'request_fingerprint_request_idx',
      ...inlineForeignKey('request_fingerprint', 'request_id'),
    },
    createdAt: { ...timestamptz({ now: true }), primary: true, index: 'request_fingerprint_created_idx' },
  },
});

export const PortalRateLimitSchema = new EntitySchema<PortalRateLimit>({
  class: PortalRateLimit,
  tableName: 'portal_rate_limit',
  properties: {
    key: { type: 'string', length: 255, primary: true },
    points: { type: 'integer', default: 0 },
    expire: { type: 'bigint', nullable: true },
  },
});
