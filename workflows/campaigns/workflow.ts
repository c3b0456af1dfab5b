import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { CampaignActivities } from '@/activities/campaigns/campaign-activities';
import { ACTIVITY_PROFILES } from '@/workflows/request/profiles';
import {
  CAMPAIGN_BATCHES_PER_RUN,
  CAMPAIGN_BATCH_SIZE,
  CAMPAIGN_PARALLEL_BATCHES,
  campaignStateQuery,
  cancelCampaignUpdate,
  pauseCampaignUpdate,
  resumeCampaignUpdate,
  type BatchRange,
  type CampaignActionInput,
  type CampaignInput,
  type CampaignRunState,
  type CampaignSummary,
} from './definitions';

/**
 * A batch waits for the account's tokens (a few seconds at 80/s, longer behind an emergency campaign) and heartbeats
 * meanwhile; the heartbeat timeout is what a killed worker costs before another resumes the batch. Batches run side by
 * side on every worker: none is handed back eagerly to the worker that scheduled it (deploy/temporal/dynamicconfig.yaml).
 */
const BATCH_PROFILE: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  allowEagerDispatch: false,
};

const campaign = proxyActivities<CampaignActivities>(BATCH_PROFILE);
// A batch stopped by a pause or a cancellation settles once it has stopped and recorded what it sent, so that the range
// it leaves is never run twice at once.
const stoppableBatch = proxyActivities<CampaignActivities>({ ...BATCH_PROFILE, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED });
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
  // Batches under way, stopped by a pause or a cancellation; runs recorded before that let them end and add none here.
  const running = new Set<CancellationScope>();
  const stopBatches = () => running.forEach((scope) => scope.cancel());
  const refuse = (message: string) => {
    throw ApplicationFailure.create({ type: 'CampaignActionRefused', message, nonRetryable: true });
  };

  setHandler(campaignStateQuery, state);
  setHandler(
    pauseCampaignUpdate,
    async (_action: CampaignActionInput) => {
      paused = true;
      stopBatches();
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
      stopBatches();
      return state();
    },
    { validator: (_action: CampaignActionInput) => (finished || cancelled ? refuse('Cette campagne est déjà terminée ou annulée.') : undefined) },
  );

  let recipients = input.continued?.recipients;
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
      recipients = start.recipients;
      if (start.state === 'cancelled' || start.state === 'done') cancelled = true;
      if (paused) await project('paused');
    }
  }

  // Runs recorded before batches of 2,000 keep their batches of 500 (the ranges already scheduled depend on it).
  const batchesOf2000 = patched('batches-of-2000');
  const size = input.batchSize ?? (batchesOf2000 ? CAMPAIGN_BATCH_SIZE : 500);
  const batchesPerRun = input.batchesPerRun ?? CAMPAIGN_BATCHES_PER_RUN;
  if (!patched('parallel-batches')) {
    // Runs recorded before batches ran side by side: one batch at a time, each taking the next queued recipients.
    let runBatches = 0;
    while (!cancelled) {
      await condition(() => cancelled || !paused);
      if (cancelled) break;
      const result = await campaign.sendCampaignBatch({ campaignId: input.campaignId, emergency: input.emergency, size });
      batches += 1;
      runBatches += 1;
      if (result.remaining === 0) break;
      if (!cancelled && (runBatches >= batchesPerRun || workflowInfo().continueAsNewSuggested)) {
        await condition(allHandlersFinished);
        return continueAsNew<typeof campaignWorkflow>({ ...input, continued: { paused, batches } });
      }
    }
  } else {
    // Each batch takes the recipients of its own range of positions, so batches in flight never share one.
    let nextPosition = input.continued?.nextPosition ?? 1;
    let inFlight = 0;
    let settled = 0;
    let runBatches = 0;
    let failure: unknown;
    const stopped: BatchRange[] = [...(input.continued?.stopped ?? [])];
    const stopsBatches = patched('stop-batches');
    const allTaken = () => stopped.length === 0 && recipients !== undefined && nextPosition > recipients;
    const runFull = () => runBatches >= batchesPerRun || workflowInfo().continueAsNewSuggested;
    // Without the count (a run continued before this code), one batch learns it before others start.
    const mayStart = () =>
      inFlight < CAMPAIGN_PARALLEL_BATCHES && !cancelled && !paused && failure === undefined && !allTaken() && !runFull() && (recipients !== undefined || inFlight === 0);
    // The first batches of a run are of staggered sizes (a quarter, a half…): sharing the tokens evenly, batches of
    // one size would all end together, and the account's tokens went unasked while they recorded their outcomes and
    // the next ones started (2 % of the rate at 80/s).
    let launched = 0;
    const nextRange = (): BatchRange => {
      const again = stopped.shift();
      if (again) return again;
      const range = {
        fromPosition: nextPosition,
        size: launched < CAMPAIGN_PARALLEL_BATCHES ? Math.max(1, Math.ceil((size * (launched + 1)) / CAMPAIGN_PARALLEL_BATCHES)) : size,
      };
      launched += 1;
      nextPosition += range.size;
      return range;
    };
    const launch = () => {
      const range = nextRange();
      inFlight += 1;
      runBatches += 1;
      const scope = new CancellationScope();
      if (stopsBatches) running.add(scope);
      const batch = { campaignId: input.campaignId, emergency: input.emergency, ...range };
      scope
        .run(() => (stopsBatches ? stoppableBatch : campaign).sendCampaignBatch(batch))
        .then(
          (result) => {
            recipients = result.recipients;
            batches += 1;
          },
          (error: unknown) => {
            // Stopped by a pause: its range's queued recipients are run again on resume; by a cancellation: dropped.
            if (scope.consideredCancelled) {
              if (!cancelled) stopped.push(range);
            } else failure ??= error;
          },
        )
        .finally(() => {
          running.delete(scope);
          inFlight -= 1;
          settled += 1;
        });
    };
    for (;;) {
      while (mayStart()) launch();
      if (inFlight === 0 && (cancelled || failure !== undefined || allTaken() || runFull())) break;
      const seen = settled;
      await condition(() => settled !== seen || mayStart() || (inFlight === 0 && cancelled));
    }
    if (failure !== undefined) throw failure;
    if (!cancelled && !allTaken()) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof campaignWorkflow>({ ...input, continued: { paused, batches, nextPosition, recipients, stopped } });
    }
  }
  await condition(allHandlersFinished);
  const summary = await projection.finishCampaignRun({ campaignId: input.campaignId, outcome: cancelled ? 'cancelled' : 'done' });
  finished = true;
  return summary;
}
