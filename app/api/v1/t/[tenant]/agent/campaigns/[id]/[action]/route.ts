import { approveCampaign, getCampaign, returnCampaignToDraft, submitCampaign } from '@/domain/campaigns/campaigns';
import { ForbiddenError } from '@/domain/auth/errors';
import { requireRole } from '@/domain/auth/roles';
import { NotFoundError } from '@/domain/validation';
import { agentRoute } from '@/app/console/_server/route';
import { appCampaignCommands, campaignActorOf } from '@/app/console/_server/campaigns';

type Params = { tenant: string; id: string; action: string };

/**
 * `soumettre` (any agent), then for a head or an administrator: `approuver` (starts the campaign's workflow),
 * `refuser` (back to draft), `pause`, `reprise`, `annulation` (updates of the workflow; a refusal answers 409).
 */
export const POST = agentRoute<Params>('agent', async ({ em, principal, params }) => {
  const actor = campaignActorOf(principal);
  if (params.action === 'soumettre') return Response.json(await submitCampaign(em, actor, params.id));
  if (!['approuver', 'refuser', 'pause', 'reprise', 'annulation'].includes(params.action)) throw new NotFoundError(`action ${params.action}`);
  requireRole(principal, 'head');
  const commands = await appCampaignCommands();
  switch (params.action) {
    case 'approuver': {
      const campaign = await approveCampaign(em, actor, params.id);
      // Approved first, then started: a failed start leaves it approved, and approving again starts it.
      await commands.start({ tenantId: principal.tenantId, campaignId: campaign.id, emergency: campaign.emergency, scheduledAt: campaign.scheduledAt?.toISOString() });
      return Response.json(await getCampaign(em.fork(), principal.tenantId, params.id));
    }
    case 'refuser':
      return Response.json(await returnCampaignToDraft(em, actor, params.id));
    default: {
      await getCampaign(em, principal.tenantId, params.id);
      const action = ({ pause: 'pause', reprise: 'resume', annulation: 'cancel' } as const)[params.action as 'pause' | 'reprise' | 'annulation'];
      if (!action) throw new ForbiddenError('Action inconnue.');
      return Response.json(await commands.act(principal.tenantId, params.id, action, principal.agentId));
    }
  }
});
