import { EntitySchema, type Opt } from '@mikro-orm/core';
import { inlineForeignKey, timestamptz, uuidKey } from './columns';
import { CitizenRequest } from './request';
import { Tenant } from './tenant';

/** One version of a form definition; without a tenant it ships with the product and every tenant sees it. */
export class FormDefinition {
  id!: string;
  tenant?: Tenant;
  slug!: string;
  version!: number;
  definition!: Record<string, unknown>;
  sha256!: string;
  createdAt!: Opt<Date>;
}

/** A rendered document (PDF) of a request, unique by its idempotency key. */
export class RequestDocument {
  id!: string;
  tenant!: Tenant;
  request?: CitizenRequest;
  kind!: string;
  template!: string;
  idempotencyKey!: string;
  fileName!: string;
  content!: Buffer;
  size!: number;
  sha256!: string;
  public!: Opt<boolean>;
  createdAt!: Opt<Date>;
}

/** A tenant's own template of a document (Handlebars), replacing the product's. */
export class DocumentTemplate {
  id!: string;
  tenant!: Tenant;
  name!: string;
  content!: string;
  helpers?: string;
  updatedAt!: Opt<Date>;
}

/** One attempt to export a request to another system (folder, webhook, database). */
export class ExportAttempt {
  id!: string;
  tenant!: Tenant;
  request!: CitizenRequest;
  connector!: string;
  target!: string;
  attempt!: number;
  status!: string;
  httpStatus?: number;
  error?: string;
  durationMs?: number;
  at!: Opt<Date>;
}

export const FormDefinitionSchema = new EntitySchema<FormDefinition>({
  class: FormDefinition,
  tableName: 'form_definition',
  uniques: [
    {
      // NULLS NOT DISTINCT: one row per version of a product form too, whose tenant is null.
      name: 'form_definition_tenant_slug_version_unique',
      expression:
        'alter table "form_definition" add constraint "form_definition_tenant_slug_version_unique" unique nulls not distinct ("tenant_id", "slug", "version")',
    },
  ],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, nullable: true, deleteRule: 'cascade', ...inlineForeignKey('form_definition', 'tenant_id') },
    slug: { type: 'string', length: 63 },
    version: { type: 'integer' },
    definition: { type: 'json' },
    sha256: { type: 'string', length: 64 },
    createdAt: timestamptz({ now: true }),
  },
});

export const RequestDocumentSchema = new EntitySchema<RequestDocument>({
  class: RequestDocument,
  tableName: 'document',
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade', ...inlineForeignKey('document', 'tenant_id') },
    request: {
      kind: 'm:1',
      entity: () => CitizenRequest,
      nullable: true,
      deleteRule: 'cascade',
      index: true,
      ...inlineForeignKey('document', 'request_id'),
    },
    kind: { type: 'string', length: 30 },
    template: { type: 'string', length: 63 },
    idempotencyKey: { type: 'string', length: 300, unique: true },
    fileName: { type: 'string', length: 200 },
    content: { type: 'blob', lazy: true },
    size: { type: 'integer' },
    sha256: { type: 'string', length: 64 },
    public: { type: 'boolean', default: false },
    createdAt: timestamptz({ now: true }),
  },
});

export const DocumentTemplateSchema = new EntitySchema<DocumentTemplate>({
  class: DocumentTemplate,
  tableName: 'document_template',
  uniques: [{ name: 'document_template_tenant_name_unique', properties: ['tenant', 'name'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade', ...inlineForeignKey('document_template', 'tenant_id') },
    name: { type: 'string', length: 63 },
    content: { type: 'text' },
    helpers: { type: 'text', nullable: true },
    updatedAt: timestamptz({ now: true }),
  },
});

export const ExportAttemptSchema = new EntitySchema<ExportAttempt>({
  class: ExportAttempt,
  tableName: 'export_attempt',
  indexes: [{ name: 'export_attempt_request_id_index', properties: ['request', 'at'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade', ...inlineForeignKey('export_attempt', 'tenant_id') },
    request: { kind: 'm:1', entity: () => CitizenRequest, deleteRule: 'cascade', ...inlineForeignKey('export_attempt', 'request_id') },
    connector: { type: 'string', length: 20 },
    target: { type: 'string', length: 500 },
    attempt: { type: 'integer' },
    status: { type: 'string', length: 20 },
    httpStatus: { type: 'integer', nullable: true },
    error: { type: 'text', nullable: true },
    durationMs: { type: 'integer', nullable: true },
    at: timestamptz({ now: true }),
  },
});
