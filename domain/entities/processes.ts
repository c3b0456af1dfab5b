import { EntitySchema, type Opt } from '@mikro-orm/core';
import { Agent } from './agent';
import { inlineForeignKey, timestamptz, uuidKey } from './columns';
import { Tenant } from './tenant';

/** One version of a process definition; without a tenant it ships with the product and every tenant sees it. */
export class ProcessDefinitionRecord {
  id!: string;
  tenant?: Tenant;
  slug!: string;
  version!: number;
  definition!: Record<string, unknown>;
  sha256!: string;
  createdAt!: Opt<Date>;
  /** The agent who published it from the console; absent for the command line and the shipped processes. */
  createdBy?: Agent;
}

export const ProcessDefinitionRecordSchema = new EntitySchema<ProcessDefinitionRecord>({
  class: ProcessDefinitionRecord,
  tableName: 'process_definition',
  uniques: [
    {
      // NULLS NOT DISTINCT: one row per version of a shipped process too, whose tenant is null.
      name: 'process_definition_tenant_slug_version_unique',
      expression:
        'alter table "process_definition" add constraint "process_definition_tenant_slug_version_unique" unique nulls not distinct ("tenant_id", "slug", "version")',
    },
  ],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, nullable: true, deleteRule: 'cascade', ...inlineForeignKey('process_definition', 'tenant_id') },
    slug: { type: 'string', length: 63 },
    version: { type: 'integer' },
    definition: { type: 'json' },
    sha256: { type: 'string', length: 64 },
    createdAt: timestamptz({ now: true }),
    createdBy: {
      kind: 'm:1',
      entity: () => Agent,
      fieldName: 'created_by',
      nullable: true,
      index: true,
      deleteRule: 'set null',
      ...inlineForeignKey('process_definition', 'created_by'),
    },
  },
});
