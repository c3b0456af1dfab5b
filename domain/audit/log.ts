import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@/domain/auth/db';

/** One line of the audit trail: who did what to which thing, and how it ended. */
export interface AuditEntry {
  tenantId: string;
  agentId?: string | null;
  action: string;
  target?: string | null;
  outcome?: 'ok' | 'refused' | 'failed';
  data?: Record<string, unknown>;
}

/** Appends an entry to the tenant's audit trail. */
export async function writeAudit(em: EntityManager, entry: AuditEntry): Promise<void> {
  await sql(em, 
    'insert into audit_log (id, tenant_id, agent_id, action, target, outcome, data, at) values (?, ?, ?, ?, ?, ?, ?, now())',
    [randomUUID(), entry.tenantId, entry.agentId ?? null, entry.action, entry.target ?? null, entry.outcome ?? 'ok', JSON.stringify(entry.data ?? {})],
  );
}

/**
 * Appends an entry unless the same agent already has one with the same action and target within `minutes`: a page
 * that re-renders (live refresh, reload) is one view, not one per render. Returns whether it was written.
 */
export async function writeAuditUnlessRecent(em: EntityManager, entry: AuditEntry, minutes: number): Promise<boolean> {
  return em.transactional(async (tx) => {
    // Two renders at the same moment take turns, so the second one sees the first one's entry.
    await sql(tx, 'select pg_advisory_xact_lock(hashtextextended(?, 0))', [`audit:${entry.tenantId}:${entry.agentId ?? ''}:${entry.action}:${entry.target ?? ''}`]);
    return appendUnlessRecent(tx, entry, minutes);
  });
}

async function appendUnlessRecent(em: EntityManager, entry: AuditEntry, minutes: number): Promise<boolean> {
  const written = await sql(
    em,
    `insert into audit_log (id, tenant_id, agent_id, action, target, outcome, data, at)
     select ?, ?, ?, ?, ?, ?, ?, now()
      where not exists (select 1 from audit_log where tenant_id = ? and agent_id is not distinct from ? and action = ? and target is not distinct from ?
                          and at > now() - make_interval(mins => ?))
     returning id`,
    [
      randomUUID(), entry.tenantId, entry.agentId ?? null, entry.action, entry.target ?? null, entry.outcome ?? 'ok', JSON.stringify(entry.data ?? {}),
      entry.tenantId, entry.agentId ?? null, entry.action, entry.target ?? null, minutes,
    ],
  );
  return written.length === 1;
}

/** An audit line as the administration screens show it. */
export interface AuditRow {
  at: string;
  agent: string | null;
  action: string;
  target: string | null;
  outcome: string;
  data: Record<string, unknown>;
}

/** The latest audit entries of a tenant, optionally for one target. */
export async function listAudit(em: EntityManager, tenantId: string, options: { target?: string; limit?: number } = {}): Promise<AuditRow[]> {
  const rows = await sql<{ at: Date; agent: string | null; action: string; target: string | null; outcome: string; data: Record<string, unknown> }>(
    em,
    `select l.at, a.name as agent, l.action, l.target, l.outcome, l.data from audit_log l left join agent a on a.id = l.agent_id
      where l.tenant_id = ? ${options.target ? 'and l.target = ?' : ''} order by l.at desc limit ?`,
    [tenantId, ...(options.target ? [options.target] : []), options.limit ?? 100],
  );
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}
