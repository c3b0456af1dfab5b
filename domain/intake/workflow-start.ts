import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { query } from '@/domain/sql';
import type { StartRequestInput, StartRequestWorkflow } from './start-input';

/** A pending start younger than this belongs to an intake that may still be starting it: recovery leaves it alone. */
export const PENDING_START_GRACE_MS = 30_000;

/**
 * Stores a request's workflow input inside the intake transaction: the request and the promise to start its workflow
 * commit together. The row holds the tracking code in clear until the start (usually milliseconds later).
 */
export async function recordPendingStart(tx: EntityManager, tenantId: string, input: StartRequestInput): Promise<void> {
  await query(tx, 'insert into request_workflow_start (request_id, tenant_id, input, created_at) values (?, ?, ?, now())', [
    input.requestId,
    tenantId,
    JSON.stringify(input),
  ]);
}

/** Outcome of one start attempt; a failure is kept on the pending row for the recovery to retry. */
export type StartOutcome = { started: true } | { started: false; error: unknown };

/**
 * Starts a committed request's workflow and forgets the pending row. The starter uses the deterministic workflow id
 * and never creates a second run, so starting again after a crash between the two steps is harmless.
 */
export async function startCommittedWorkflow(em: EntityManager, startWorkflow: StartRequestWorkflow, input: StartRequestInput): Promise<StartOutcome> {
  try {
    await startWorkflow(input);
  } catch (error) {
    await query(em, 'update request_workflow_start set attempts = attempts + 1, last_error = ? where request_id = ?', [
      String((error as Error)?.message ?? error).slice(0, 1000),
      input.requestId,
    ]).catch(() => undefined);
    return { started: false, error };
  }
  // Should this delete fail, the row stays and the recovery's start finds the workflow already there.
  await query(em, 'delete from request_workflow_start where request_id = ?', [input.requestId]).catch(() => undefined);
  return { started: true };
}

/** What a recovery pass did. */
export interface RecoveryReport {
  started: number;
  failed: number;
}

/**
 * Starts the workflows of stored requests whose start failed (Temporal down, process killed after the commit). Run by
 * every worker at start-up and periodically; concurrent passes are harmless (one run per workflow id).
 */
export async function startPendingWorkflows(deps: {
  orm: MikroORM;
  startWorkflow: StartRequestWorkflow;
  olderThanMs?: number;
  limit?: number;
}): Promise<RecoveryReport> {
  const em = deps.orm.em.fork();
  const rows = await query<{ input: StartRequestInput }>(
    em,
    `select input from request_workflow_start where created_at < now() - make_interval(secs => ?) order by created_at limit ?`,
    [(deps.olderThanMs ?? PENDING_START_GRACE_MS) / 1000, deps.limit ?? 200],
  );
  const report: RecoveryReport = { started: 0, failed: 0 };
  for (const { input } of rows) {
    const outcome = await startCommittedWorkflow(em, deps.startWorkflow, input);
    if (outcome.started) report.started++;
    else report.failed++;
  }
  return report;
}
