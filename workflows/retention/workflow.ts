import { continueAsNew, patched, proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { RetentionActivities } from '@/activities/retention/retention-activities';
import { PATCHED_RETENTION_CATEGORIES, RETENTION_CATEGORIES } from '@/domain/privacy/retention-categories';
import { SCHEDULED_START_TIME } from '@/workflows/quality-report/definitions';
import { RETENTION_BATCH_SIZE, type RetentionInput, type RetentionResult } from './definitions';

/**
 * Batches of a few hundred rows take well under a second; the heartbeat timeout is what a killed worker costs before
 * another one resumes the work.
 */
const RETENTION_PROFILE: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

const retention = proxyActivities<RetentionActivities>(RETENTION_PROFILE);

/** Batches per activity call: progress reaches the history (and the next continue-as-new) every few thousand rows. */
const BATCHES_PER_CALL = 25;
/** Activity calls before the workflow continues as new, so a huge backlog never makes a huge history. */
const CALLS_PER_RUN = 200;

/**
 * A tenant's daily GDPR retention: deletes attachments and documents of long-closed requests, anonymises closed
 * requests past their delay, deletes old SMS and e-mail logs and agents' login attempts, purges audit entries past their age, then writes the
 * run's summary in the audit trail. Every batch is idempotent, so a retried or repeated run does nothing twice.
 */
export async function retentionWorkflow(input: RetentionInput): Promise<RetentionResult> {
  const info = workflowInfo();
  const asOf = input.asOf ?? (info.typedSearchAttributes.get(SCHEDULED_START_TIME) ?? info.startTime).toISOString();
  const runId = input.runId ?? info.workflowId;
  const batchSize = input.batchSize ?? RETENTION_BATCH_SIZE;
  let calls = 0;
  // A run recorded before a category existed replays without it; runs started since get it.
  const categories = RETENTION_CATEGORIES.filter((category) => {
    const patch = PATCHED_RETENTION_CATEGORIES[category];
    return !patch || patched(patch);
  });
  for (const category of categories.slice(input.from ? categories.indexOf(input.from) : 0)) {
    for (;;) {
      const done = await retention.applyRetention({ tenantId: input.tenantId, category, asOf, runId, batchSize, maxBatches: input.batchesPerCall ?? BATCHES_PER_CALL });
      calls += 1;
      if (!done.more) break;
      if (calls >= (input.callsPerRun ?? CALLS_PER_RUN) || workflowInfo().continueAsNewSuggested) {
        return continueAsNew<typeof retentionWorkflow>({ ...input, asOf, runId, from: category });
      }
    }
  }
  const counts = await retention.recordRetentionSummary({ tenantId: input.tenantId, runId, asOf });
  return { runId, asOf, counts };
}
