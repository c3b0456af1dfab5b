import { Migration } from '@mikro-orm/migrations';

/**
 * The audit trail is append-only: a trigger refuses every UPDATE, DELETE and TRUNCATE of `audit_log`, except the
 * retention job's purge. The purge runs in a transaction that has done `set local relais.audit_purge = 'on'`, and even
 * then only rows older than the tenant's audit retention (`settings.retention.auditYears`, 5 years by default, never
 * less than 1 year) may go. Consequences: agents are deactivated, never deleted (the `on delete set null` of
 * `agent_id` would be an UPDATE), and deleting a tenant that has an audit trail is refused.
 * Filters of the audit screen: by action, by agent, by target, newest first.
 */
export class Migration2026120411Audit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function audit_log_append_only() returns trigger language plpgsql as $$
      declare keep_years int;
      begin
        if tg_op = 'DELETE' and current_setting('relais.audit_purge', true) = 'on' then
          select greatest(1, coalesce((settings->'retention'->>'auditYears')::int, 5)) into keep_years from tenant where id = old.tenant_id;
          if old.at < now() - make_interval(years => coalesce(keep_years, 5)) then
            return old;
          end if;
          raise exception 'audit_log entry % is younger than its retention period: it cannot be purged', old.id using errcode = 'insufficient_privilege';
        end if;
        raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
      end $$`);
    this.addSql('create trigger "audit_log_append_only" before update or delete on "audit_log" for each row execute function audit_log_append_only()');
    this.addSql('create trigger "audit_log_no_truncate" before truncate on "audit_log" for each statement execute function audit_log_append_only()');
    this.addSql('create index "audit_log_tenant_action_at_idx" on "audit_log" ("tenant_id", "action", "at" desc)');
    this.addSql('create index "audit_log_tenant_agent_at_idx" on "audit_log" ("tenant_id", "agent_id", "at" desc)');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "audit_log_tenant_agent_at_idx"');
    this.addSql('drop index if exists "audit_log_tenant_action_at_idx"');
    this.addSql('drop trigger if exists "audit_log_no_truncate" on "audit_log"');
    this.addSql('drop trigger if exists "audit_log_append_only" on "audit_log"');
    this.addSql('drop function if exists audit_log_append_only()');
  }
}
