import { campaignTimeline } from '@/domain/campaigns/timeline';
import { agentRoute } from '@/app/console/_server/route';

type Params = { tenant: string; id: string };

/** The campaign's messages sent, delivered and failed over time (the campaign page's chart). */
export const GET = agentRoute<Params>('agent', async ({ em, principal, params }) => {
  const timeline = await campaignTimeline(em, principal.tenantId, params.id);
  return Response.json(timeline, { headers: { 'cache-control': 'no-store' } });
});
