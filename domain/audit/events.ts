import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit, writeAuditUnlessRecent } from './log';
import { Tenant } from '@/domain/entities';

/** The agent an entry is about. */
export interface AuditAgent {
  tenantId: string;
  agentId: string;
}

/** A file handed out: an attachment of the citizen or a document the town hall produced. */
export type DownloadKind = 'attachment' | 'document';

/** Views of one case by one agent closer than this are one view (the case page refreshes itself as the workflow moves). */
export const CASE_VIEW_WINDOW_MINUTES = 10;

/** An agent opened a case: its page in the console or its record through the API. */
export async function auditCaseView(em: EntityManager, agent: AuditAgent, reference: string, via: 'console' | 'api'): Promise<void> {
  await writeAuditUnlessRecent(em, { tenantId: agent.tenantId, agentId: agent.agentId, action: 'request.view', target: reference, data: { via } }, CASE_VIEW_WINDOW_MINUTES);
}

/** An agent downloaded a file of a case. */
export function auditAgentDownload(em: EntityManager, agent: AuditAgent, reference: string, kind: DownloadKind, fileId: string): Promise<void> {
  return writeAudit(em, { tenantId: agent.tenantId, agentId: agent.agentId, action: `request.${kind}.download`, target: reference, data: { fileId, by: 'agent' } });
}

/** Someone holding the tracking code downloaded a file of the request (the file was found and the code checked). */
export async function auditCitizenDownload(em: EntityManager, tenantSlug: string, reference: string, kind: DownloadKind, fileId: string): Promise<void> {
  const tenant = await em.getRepository(Tenant).findBySlug(tenantSlug);
  if (!tenant) return;
  await writeAudit(em, { tenantId: tenant.id, agentId: null, action: `request.${kind}.download`, target: reference, data: { fileId, by: 'citizen' } });
}
