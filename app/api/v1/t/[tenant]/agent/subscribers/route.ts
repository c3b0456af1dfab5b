import { listSubscribers } from '@/domain/subscriptions/subscribers';
import { agentRoute } from '@/app/console/_server/route';

type Params = { tenant: string };

/**
 * A page of a list's subscribers, for administrators and the data protection officer: `{liste, q, etat, canal, page}`
 * in the body, since the search holds an address or a number (never in the URL, which logs keep).
 */
export const POST = agentRoute<Params>('dpo', async ({ em, principal, json }) => {
  return Response.json(await listSubscribers(em, principal.tenantId, await json()), { headers: { 'cache-control': 'no-store' } });
});
