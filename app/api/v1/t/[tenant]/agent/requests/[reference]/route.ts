import { auditCaseView } from '@/domain/audit/events';
import { filledTemplates, getRequestDetail, similarAnswered } from '@/domain/inbox/detail';
import { caseInboundEmails, caseMessages } from '@/domain/inbox/notifications';
import { caseRecords } from '@/domain/inbox/records';
import { agentRoute } from '@/app/console/_server/route';

/** One request: record, full timeline, attachments, stored documents, export attempts, e-mails and SMS sent, e-mails received, filled-in answer templates and similar answered requests. */
export const GET = agentRoute<{ tenant: string; reference: string }>('agent', async ({ params, em, principal }) => {
  const detail = await getRequestDetail(em, principal.tenantId, params.reference);
  await auditCaseView(em, principal, detail.reference, 'api');
  const [templates, similar, records, notifications, inboundEmails] = await Promise.all([
    filledTemplates(em, principal.tenantId, detail, principal.name),
    similarAnswered(em.fork(), principal.tenantId, detail.id),
    caseRecords(em.fork(), { id: principal.tenantId, slug: principal.tenantSlug }, detail),
    caseMessages(em.fork(), principal.tenantId, detail.id),
    caseInboundEmails(em.fork(), principal.tenantId, detail.id),
  ]);
  const { workflowId: _internal, ...request } = detail;
  return Response.json({ request, templates, similar, documents: records.documents, exports: records.exports, notifications, inboundEmails }, { headers: { 'cache-control': 'no-store' } });
});
