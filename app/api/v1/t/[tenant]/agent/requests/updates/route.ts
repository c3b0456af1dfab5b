import { actorOf } from '@/domain/auth/roles';
import { newSince } from '@/domain/inbox/list';
import { InputError } from '@/domain/validation';
import { agentRoute } from '@/app/console/_server/route';

/** How many requests arrived after `depuis` (ISO instant), in the agent's own departments with `mes=1`; the inbox polls it every few seconds. */
export const GET = agentRoute('agent', async ({ request, em, principal }) => {
  const search = new URL(request.url).searchParams;
  const since = search.get('depuis') ?? '';
  if (Number.isNaN(Date.parse(since))) throw new InputError([{ path: '/depuis', message: 'Indiquez un instant ISO 8601.' }]);
  const result = await newSince(em, { tenantId: principal.tenantId, departmentIds: actorOf(principal).departmentIds }, new Date(since), { mine: search.get('mes') === '1' });
  return Response.json(result, { headers: { 'cache-control': 'no-store' } });
});
