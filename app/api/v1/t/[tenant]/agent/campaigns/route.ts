import { composeCampaign, listCampaigns } from '@/domain/campaigns/campaigns';
import { agentRoute } from '@/app/console/_server/route';
import { campaignActorOf } from '@/app/console/_server/campaigns';

/** The tenant's campaigns, newest first. */
export const GET = agentRoute('agent', async ({ em, principal }) => Response.json(await listCampaigns(em, principal.tenantId)));

/** Composes a draft: `{list, template?, title, subject?, body, values?, channels?, emergency?, scheduledAt?}` → 201. */
export const POST = agentRoute('agent', async ({ em, principal, json }) => Response.json(await composeCampaign(em, campaignActorOf(principal), await json()), { status: 201 }));
