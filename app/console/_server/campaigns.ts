import 'server-only';
import { meets } from '@/domain/auth/roles';
import type { AgentPrincipal } from '@/domain/auth/sessions';
import { notFound } from 'next/navigation';
import type { EntityManager } from '@mikro-orm/postgresql';
import { getCampaign, type CampaignActor, type CampaignView } from '@/domain/campaigns/campaigns';
import { NotFoundError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import { campaignCommands } from '@/temporal/campaign-commands';

/** The campaign actor of a console agent: heads and administrators approve (the validation principle). */
export function campaignActorOf(principal: AgentPrincipal): CampaignActor {
  return { tenantId: principal.tenantId, agentId: principal.agentId, mayApprove: meets(principal, 'head'), isAdmin: principal.isAdmin };
}

/** Campaign workflow commands of the web process. */
export async function appCampaignCommands() {
  const { temporal } = await appContext();
  return campaignCommands(temporal, temporal.taskQueue);
}

/** A campaign of the agent's tenant for a console page, or the page's 404. */
export async function campaignOrNotFound(em: EntityManager, tenantId: string, id: string): Promise<CampaignView> {
  try {
    return await getCampaign(em, tenantId, id);
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
}
