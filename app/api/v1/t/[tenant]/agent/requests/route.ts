import { actorOf } from '@/domain/auth/roles';
import { countByState, listInbox } from '@/domain/inbox/list';
import { inboxDefaults, parseInboxFilters } from '@/domain/inbox/filters';
import { agentRoute } from '@/app/console/_server/route';

/** The inbox: one keyset page of requests with the same filters and default scope as the console, and counts per state. */
export const GET = agentRoute('agent', async ({ request, em, principal }) => {
  const actor = actorOf(principal);
  const filters = parseInboxFilters(new URL(request.url).searchParams, inboxDefaults(actor));
  const viewer = { tenantId: principal.tenantId, departmentIds: actor.departmentIds };
  const [page, counts] = await Promise.all([listInbox(em, viewer, filters), countByState(em.fork(), viewer, filters)]);
  return Response.json({ ...page, counts }, { headers: { 'cache-control': 'no-store' } });
});
