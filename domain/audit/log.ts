import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditLog } from '@/domain/entities';
import { query } from '@/domain/sql';

/** One line of the audit trail: who did what to which thing, and how it ended. */
export interface AuditEntry {
  tenantId: string;
  agentId?: string | null;
  action: string;
  target?: string | null;
  outcome?: 'ok' | 'refused' | 'failed';
  data?: Record<string, unknown>;
}

/** Appends an entry to the tenant's audit trail, stamped by the database's clock (the column's default). */
export async function writeAudit(em: EntityManager, entry: AuditEntry): Promise<void> {
  await em.insert(AuditLog, {
    id: randomUUID(),
    tenant: entry.tenantId,
    agent: entry.agentId ?? null,
    action: entry.action,
    target: entry.target ?? null,
    outcome: entry.outcome ?? 'ok',
    data: entry.data ?? {},
  });
}

/**
 * Appends an entry unless the same agent already has one with the same action and target within `minutes`: a page
 * that re-renders (live refresh, reload) is one view, not one per render. Returns whether it was written.
 */
export async function writeAuditUnlessRecent(em: EntityManager, entry: AuditEntry, minutes: number): Promise<boolean> {
  return em.transactional(async (tx) => {
    // Two renders at the same moment take turns, so the second one sees the first one's entry (an advisory lock: no ORM form).
    await query(tx, 'select pg_advisory_xact_lock(hashtextextended(?, 0))', [`audit:${entry.tenantId}:${entry.agentId ?? ''}:${entry.action}:${entry.target ?? ''}`]);
    return appendUnlessRecent(tx, entry, minutes);
  });
}

async function appendUnlessRecent(em: EntityManager, entry: AuditEntry, minutes: number): Promise<boolean> {
  const recent = await em.count(AuditLog, {
    tenant: entry.tenantId,
    agent: entry.agentId ?? null,
    action: entry.action,
    target: entry.target ?? null,
    at: { $gt: raw<AuditLog, Date>('now() - make_interval(mins => ?)', [minutes]) },
  });
  if (recent > 0) return false;
  await writeAudit(em, entry);
  return true;
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
  const entries = await em.find(
    AuditLog,
    { tenant: tenantId, ...(options.target ? { target: options.target } : {}) },
    { populate: ['agent'], orderBy: { at: 'desc' }, limit: options.limit ?? 100 },
  );
  return entries.map((e) => ({
    at: e.at.toISOString(),
    agent: e.agent?.name ?? null,
    action: e.action,
    target: e.target ?? null,
    outcome: e.outcome,
    data: e.data,
  }));
}
