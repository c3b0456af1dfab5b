/** The administrator performing a change (for the audit trail). */
export interface AdminContext {
  tenantId: string;
  agentId: string;
}
