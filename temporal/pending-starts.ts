import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { startPendingWorkflows } from '@/domain/intake/workflow-start';
import { requestWorkflowStarter, type TemporalTarget } from './client';

/** How often a worker looks for requests whose workflow start failed after the intake committed. */
export const PENDING_START_INTERVAL_MS = 60_000;

/**
 * Starts the workflows the intake could not start (Temporal unreachable, web process killed after the commit): once
 * now, then every minute. Every worker runs it; two passes at once start each workflow once (deterministic ids).
 */
export function watchPendingStarts(deps: {
  orm: MikroORM;
  temporal: TemporalTarget;
  taskQueue: string;
  logger: Logger;
  intervalMs?: number;
  /** Pending starts younger than this are left to the intake that is starting them (default PENDING_START_GRACE_MS). */
  olderThanMs?: number;
}): { stop(): Promise<void> } {
  const startWorkflow = requestWorkflowStarter(deps.temporal, deps.taskQueue);
  let pass: Promise<void> = Promise.resolve();
  const runPass = () => {
    pass = pass.then(async () => {
      try {
        const report = await startPendingWorkflows({ orm: deps.orm, startWorkflow, olderThanMs: deps.olderThanMs });
        if (report.started || report.failed) deps.logger.warn(report, 'pending request workflows recovered after a failed start');
      } catch (error) {
        deps.logger.error(error, 'pending request workflow starts could not be checked');
      }
    });
  };
  runPass();
  const timer = setInterval(runPass, deps.intervalMs ?? PENDING_START_INTERVAL_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await pass;
    },
  };
}
