import { subscriberDetail } from '@/domain/subscriptions/subscribers';
import { agentRoute } from '@/app/console/_server/route';

type Params = { tenant: string; id: string };

/** One subscriber with each subscription's consent trail and proofs; the view is audited. */
export const GET = agentRoute<Params>('dpo', async ({ em, principal, params }) => {
  const detail = await subscriberDetail(em, { tenantId: principal.tenantId, agentId: principal.agentId }, params.id);
  return Response.json(detail, { headers: { 'cache-control': 'no-store' } });
});
