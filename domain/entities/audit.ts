import { EntitySchema, type Opt } from '@mikro-orm/core';
import { Agent } from './agent';
import { inlineForeignKey, timestamptz, uuidKey } from './columns';
import { Tenant } from './tenant';

/** Whether an audited action succeeded. */
export type AuditOutcome = 'ok' | 'refused' | 'failed';

/**
 * One entry of the tenant's audit trail. Append-only: the trigger `audit_log_append_only` (Migration2026120411Audit)
 * refuses updates and deletes except the retention purge, which is why it lives in a migration and not here.
 */
export class AuditLog {
  id!: string;
  tenant!: Tenant;
  agent?: Agent;
  action!: string;
  target?: string;
  outcome!: Opt<AuditOutcome>;
  data!: Opt<Record<string, unknown>>;
  at!: Opt<Date>;
}

export const AuditLogSchema = new EntitySchema<AuditLog>({
  class: AuditLog,
  tableName: 'audit_log',
  indexes: [
    // Newest first for the whole tenant, by action and by agent: the filters of the audit screen.
    { name: 'audit_log_tenant_at_idx', expression: 'create index "audit_log_tenant_at_idx" on "audit_log" ("tenant_id", "at" desc)' },
    { name: 'audit_log_target_idx', properties: ['tenant', 'target'] },
    { name: 'audit_log_tenant_action_at_idx', expression: 'create index "audit_log_tenant_action_at_idx" on "audit_log" ("tenant_id", "action", "at" desc)' },
    { name: 'audit_log_tenant_agent_at_idx', expression: 'create index "audit_log_tenant_agent_at_idx" on "audit_log" ("tenant_id", "agent_id", "at" desc)' },
  ],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade', ...inlineForeignKey('audit_log', 'tenant_id') },
    agent: { kind: 'm:1', entity: () => Agent, nullable: true, deleteRule: 'set null', ...inlineForeignKey('audit_log', 'agent_id') },
    action: { type: 'string', length: 80 },
    target: { type: 'string', length: 300, nullable: true },
    outcome: { type: 'string', length: 20, default: 'ok' },
    data: { type: 'json', default: '{}' },
    at: timestamptz({ now: true }),
  },
});
