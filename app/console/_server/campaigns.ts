import 'server-only';
import { meets } from '@/domain/auth/roles';
import type { AgentPrincipal } from '@/domain/auth/sessions';
import type { CampaignActor } from '@/domain/campaigns/campaigns';
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
