import { raw } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { RequestWorkflowStart } from '@/domain/entities';
import type { StartRequestInput, StartRequestWorkflow } from './start-input';

/** A pending start younger than this belongs to an intake that may still be starting it: recovery leaves it alone. */
export const PENDING_START_GRACE_MS = 30_000;

/**
 * Stores a request's workflow input inside the intake transaction: the request and the promise to start its workflow
 * commit together. The row holds the tracking code in clear until the start (usually milliseconds later).
 */
export async function recordPendingStart(tx: EntityManager, tenantId: string, input: StartRequestInput): Promise<void> {
  // created_at from the database's clock (column default), as the recovery's grace period compares it with now().
  await tx.insert(RequestWorkflowStart, { request: input.requestId, tenantId, input });
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
    await em
      .nativeUpdate(RequestWorkflowStart, { request: input.requestId }, { attempts: raw('attempts + 1'), lastError: String((error as Error)?.message ?? error).slice(0, 1000) })
      .catch(() => undefined);
    return { started: false, error };
  }
  // Should this delete fail, the row stays and the recovery's start finds the workflow already there.
  await em.nativeDelete(RequestWorkflowStart, { request: input.requestId }).catch(() => undefined);
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
  const rows = await em.find(
    RequestWorkflowStart,
    { createdAt: { $lt: raw<RequestWorkflowStart, Date>('now() - make_interval(secs => ?)', [(deps.olderThanMs ?? PENDING_START_GRACE_MS) / 1000]) } },
    { fields: ['input'], orderBy: { createdAt: 'asc' }, limit: deps.limit ?? 200 },
  );
  const report: RecoveryReport = { started: 0, failed: 0 };
  for (const { input } of rows) {
    const outcome = await startCommittedWorkflow(em, deps.startWorkflow, input);
    if (outcome.started) report.started++;
    else report.failed++;
  }
  return report;
}
