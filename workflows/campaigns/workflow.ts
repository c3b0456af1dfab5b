import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { CampaignActivities } from '@/activities/campaigns/campaign-activities';
import { ACTIVITY_PROFILES } from '@/workflows/request/profiles';
import {
  CAMPAIGN_BATCHES_PER_RUN,
  CAMPAIGN_BATCH_SIZE,
  campaignStateQuery,
  cancelCampaignUpdate,
  pauseCampaignUpdate,
  resumeCampaignUpdate,
  type CampaignActionInput,
  type CampaignInput,
  type CampaignRunState,
  type CampaignSummary,
} from './definitions';

/**
 * A batch waits for the account's tokens (a few seconds at 80/s, longer behind an emergency campaign) and heartbeats
 * meanwhile; the heartbeat timeout is what a killed worker costs before another resumes the batch.
 */
const BATCH_PROFILE: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

const campaign = proxyActivities<CampaignActivities>(BATCH_PROFILE);
const projection = proxyActivities<CampaignActivities>(ACTIVITY_PROFILES.projection);

/**
 * Sends a campaign to its recipient snapshot in batches, once per recipient (the message key is the campaign and
 * the recipient), with pause, resume and cancel as updates; ends with a summary. The console reads the database, the
 * workflow projects every change of state to it.
 */
export async function campaignWorkflow(input: CampaignInput): Promise<CampaignSummary> {
  let paused = input.continued?.paused ?? false;
  let cancelled = false;
  let finished = false;
  let batches = input.continued?.batches ?? 0;
  let scheduled = false;
  const state = (): CampaignRunState => ({
    phase: finished ? 'finished' : cancelled ? 'cancelling' : scheduled ? 'scheduled' : paused ? 'paused' : 'running',
    batches,
  });
  // Projections one after the other, so a pause and a quick resume land in the database in their order.
  let projecting: Promise<void> = Promise.resolve();
  const project = (next: 'scheduled' | 'running' | 'paused') =>
    (projecting = projecting.then(() => projection.setCampaignState({ campaignId: input.campaignId, state: next })));
  const refuse = (message: string) => {
    throw ApplicationFailure.create({ type: 'CampaignActionRefused', message, nonRetryable: true });
  };

  setHandler(campaignStateQuery, state);
  setHandler(
    pauseCampaignUpdate,
    async (_action: CampaignActionInput) => {
      paused = true;
      await project('paused');
      return state();
    },
    { validator: (_action: CampaignActionInput) => (finished || cancelled ? refuse('Cette campagne est terminée.') : paused ? refuse('Cette campagne est déjà en pause.') : undefined) },
  );
  setHandler(
    resumeCampaignUpdate,
    async (_action: CampaignActionInput) => {
      paused = false;
      await project(scheduled ? 'scheduled' : 'running');
      return state();
    },
    { validator: (_action: CampaignActionInput) => (finished || cancelled ? refuse('Cette campagne est terminée.') : !paused ? refuse('Cette campagne n’est pas en pause.') : undefined) },
  );
  setHandler(
    cancelCampaignUpdate,
    (_action: CampaignActionInput) => {
      cancelled = true;
      return state();
    },
    { validator: (_action: CampaignActionInput) => (finished || cancelled ? refuse('Cette campagne est déjà terminée ou annulée.') : undefined) },
  );

  if (!input.continued) {
    const delay = input.scheduledAt ? Date.parse(input.scheduledAt) - Date.now() : 0;
    if (delay > 0) {
      scheduled = true;
      await project('scheduled');
      // Pausing a scheduled campaign holds it past its time until it is resumed.
      await condition(() => cancelled, delay);
      await condition(() => cancelled || !paused);
      scheduled = false;
    }
    if (!cancelled) {
      const start = await projection.startCampaignRun({ campaignId: input.campaignId });
      if (start.state === 'cancelled' || start.state === 'done') cancelled = true;
      if (paused) await project('paused');
    }
  }

  let runBatches = 0;
  while (!cancelled) {
    await condition(() => cancelled || !paused);
    if (cancelled) break;
    const result = await campaign.sendCampaignBatch({ campaignId: input.campaignId, emergency: input.emergency, size: input.batchSize ?? CAMPAIGN_BATCH_SIZE });
    batches += 1;
    runBatches += 1;
    if (result.remaining === 0) break;
    if (!cancelled && (runBatches >= (input.batchesPerRun ?? CAMPAIGN_BATCHES_PER_RUN) || workflowInfo().continueAsNewSuggested)) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof campaignWorkflow>({ ...input, continued: { paused, batches } });
    }
  }
  await condition(allHandlersFinished);
  const summary = await projection.finishCampaignRun({ campaignId: input.campaignId, outcome: cancelled ? 'cancelled' : 'done' });
  finished = true;
  return summary;
}
