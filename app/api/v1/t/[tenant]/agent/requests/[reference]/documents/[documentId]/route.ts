import { auditAgentDownload } from '@/domain/audit/events';
import { agentDocument, pdfResponse } from '@/domain/documents/store';
import { NotFoundError } from '@/domain/validation';
import { agentRoute } from '@/app/console/_server/route';

/** Downloads any stored PDF of a request (public or internal); another tenant's or another request's document is a 404. */
export const GET = agentRoute<{ tenant: string; reference: string; documentId: string }>('agent', async ({ params, em, principal }) => {
  const doc = await agentDocument(em, principal.tenantId, params.reference, params.documentId);
  if (!doc) throw new NotFoundError(`Unknown document ${params.documentId} of ${params.reference}`);
  await auditAgentDownload(em, principal, params.reference, 'document', doc.id);
  return pdfResponse(doc);
});
