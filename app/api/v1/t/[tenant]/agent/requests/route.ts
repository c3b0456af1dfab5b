import { actorOf } from '@/domain/auth/roles';
import { countByState, listInbox } from '@/domain/inbox/list';
import { parseInboxFilters } from '@/domain/inbox/filters';
import { agentRoute } from '@/app/console/_server/route';

/** The inbox: one keyset page of requests with the same filters as the console, and counts per state. */
export const GET = agentRoute('agent', async ({ request, em, principal }) => {
  const filters = parseInboxFilters(new URL(request.url).searchParams);
  const viewer = { tenantId: principal.tenantId, departmentIds: actorOf(principal).departmentIds };
  const [page, counts] = await Promise.all([listInbox(em, viewer, filters), countByState(em.fork(), viewer, filters)]);
  return Response.json({ ...page, counts }, { headers: { 'cache-control': 'no-store' } });
});
