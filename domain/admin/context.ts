import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';

/** The administrator performing a change (for the audit trail). */
export interface AdminContext {
  tenantId: string;
  agentId: string;
}

/** Writes an administration change to the audit trail, as before / after. */
export function auditAdminChange(em: EntityManager, ctx: AdminContext, action: string, target: string, before: unknown, after: unknown) {
  return writeAudit(em, { tenantId: ctx.tenantId, agentId: ctx.agentId, action, target, data: { before: before ?? null, after } });
}
