import { Context } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { recordRetentionRun, retentionBatch, type RetentionCounts } from '@/domain/privacy/retention';
import type { ApplyRetentionInput, ApplyRetentionResult, RetentionHeartbeat } from '@/workflows/retention/definitions';

/** Dependencies of the retention activities. */
export interface RetentionActivityDeps {
  orm: MikroORM;
}

/** The activities of the retention workflow, bound to their dependencies. */
export function createRetentionActivities({ orm }: RetentionActivityDeps) {
  /**
   * Batches of one category, each committed with its audit entry, then a heartbeat with the progress: a worker killed
   * mid-way leaves only whole batches done, and the retry (after the heartbeat timeout) finds what is still due.
   */
  async function applyRetention(input: ApplyRetentionInput): Promise<ApplyRetentionResult> {
    const context = Context.current();
    const resumed = context.info.heartbeatDetails as RetentionHeartbeat | undefined;
    const progress: RetentionHeartbeat = resumed?.category === input.category ? resumed : { category: input.category, batches: 0, rows: 0 };
    for (let batch = 0; batch < input.maxBatches; batch++) {
      const rows = await retentionBatch(orm.em.fork(), { tenantId: input.tenantId, category: input.category, asOf: input.asOf, runId: input.runId, limit: input.batchSize });
      if (rows === 0) return { batches: progress.batches, rows: progress.rows, more: false };
      progress.batches += 1;
      progress.rows += rows;
      context.heartbeat(progress);
      // A cancelled run stops between batches, never inside one.
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
    }
    return { batches: progress.batches, rows: progress.rows, more: true };
  }

  /** The run's summary entry (written once) and its counts, summed from the batches' audit entries. */
  async function recordRetentionSummary(input: { tenantId: string; runId: string; asOf: string }): Promise<RetentionCounts> {
    return recordRetentionRun(orm.em.fork(), input.tenantId, input.runId, input.asOf);
  }

  return { applyRetention, recordRetentionSummary };
}

/** The activity functions, as the workflow sees their types. */
export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
