import { campaignProgress, getCampaign } from '@/domain/campaigns/campaigns';
import { agentRoute } from '@/app/console/_server/route';

type Params = { tenant: string; id: string };

/** One campaign and its progress counters (the campaign page polls it). */
export const GET = agentRoute<Params>('agent', async ({ em, principal, params }) => {
  const campaign = await getCampaign(em, principal.tenantId, params.id);
  const progress = await campaignProgress(em, principal.tenantId, params.id);
  return Response.json({ campaign, progress }, { headers: { 'cache-control': 'no-store' } });
});
