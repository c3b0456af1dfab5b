import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ConflictError } from '@/domain/validation';
import {
  campaignWorkflowId,
  cancelCampaignUpdate,
  pauseCampaignUpdate,
  resumeCampaignUpdate,
  type CampaignInput,
  type CampaignRunState,
} from '@/workflows/campaigns/definitions';
import type { campaignWorkflow } from '@/workflows/campaigns/workflow';
import { temporalClient, type TemporalTarget } from './client';

/** What an agent may do to a running campaign. */
export type CampaignAction = 'pause' | 'resume' | 'cancel';

const UPDATES = { pause: pauseCampaignUpdate, resume: resumeCampaignUpdate, cancel: cancelCampaignUpdate } as const;

/** Starts and steers campaign workflows from the web app. */
export function campaignCommands(target: TemporalTarget, taskQueue: string) {
  return {
    /** Starts the campaign's one workflow; a second start (an approval made again after a failed start) is a no-op. */
    async start(input: CampaignInput): Promise<void> {
      const client = await temporalClient(target);
      try {
        await client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
          taskQueue,
          workflowId: campaignWorkflowId(input.tenantId, input.campaignId),
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          args: [input],
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    },
    /** Pause, resume or cancel; a refusal of the workflow's validator is a ConflictError with its French reason. */
    async act(tenantId: string, campaignId: string, action: CampaignAction, agentId: string): Promise<CampaignRunState> {
      const client = await temporalClient(target);
      try {
        return await client.workflow.getHandle(campaignWorkflowId(tenantId, campaignId)).executeUpdate(UPDATES[action], { args: [{ agentId }] });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) throw new ConflictError(error.cause?.message ?? 'Action refusée.', { cause: error });
        if (error instanceof WorkflowNotFoundError || (error instanceof Error && /already completed/i.test(error.message))) {
          throw new ConflictError('Cette campagne n’est pas en cours d’envoi.', { cause: error });
        }
        throw error;
      }
    },
  };
}
