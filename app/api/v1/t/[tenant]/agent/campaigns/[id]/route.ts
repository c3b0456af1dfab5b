import { campaignProgress, getCampaign, updateCampaignDraft } from '@/domain/campaigns/campaigns';
import { agentRoute } from '@/app/console/_server/route';
import { campaignActorOf } from '@/app/console/_server/campaigns';

type Params = { tenant: string; id: string };

/** One campaign and its progress counters (the campaign page polls it). */
export const GET = agentRoute<Params>('agent', async ({ em, principal, params }) => {
  const campaign = await getCampaign(em, principal.tenantId, params.id);
  const progress = await campaignProgress(em, principal.tenantId, params.id);
  return Response.json({ campaign, progress }, { headers: { 'cache-control': 'no-store' } });
});

/** Rewrites a draft (its author or an administrator): the composer's body, as for a new campaign → 200; 409 once submitted. */
export const PUT = agentRoute<Params>('agent', async ({ em, principal, params, json }) =>
  Response.json(await updateCampaignDraft(em, campaignActorOf(principal), params.id, await json())),
);
