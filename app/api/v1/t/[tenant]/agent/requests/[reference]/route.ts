import { filledTemplates, getRequestDetail, similarAnswered } from '../../../../../../../../domain/inbox/detail';
import { agentRoute } from '../../../../../../../console/_server/route';

/** One request: record, full timeline, attachments, filled-in answer templates and similar answered requests. */
export const GET = agentRoute<{ tenant: string; reference: string }>('agent', async ({ params, em, principal }) => {
  const detail = await getRequestDetail(em, principal.tenantId, params.reference);
  const [templates, similar] = await Promise.all([filledTemplates(em, principal.tenantId, detail, principal.name), similarAnswered(em.fork(), principal.tenantId, detail.id)]);
  const { workflowId: _internal, ...request } = detail;
  return Response.json({ request, templates, similar }, { headers: { 'cache-control': 'no-store' } });
});
