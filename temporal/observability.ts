import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { WorkerMetrics } from '@/integrations/observability/worker-metrics';
import { requestIdOf } from '@/workflows/request-id';

/**
 * Activity interceptors of the worker: each attempt logs through a pino child carrying the request id of the workflow's
 * start (with the workflow id, activity type and attempt), and its latency and failure are counted per activity type.
 */
export function observeActivities(deps: { logger: Logger; metrics: WorkerMetrics }): ActivityInterceptorsFactory {
  return (context: Context) => {
    const { info } = context;
    const fields = { activityType: info.activityType, workflowId: info.workflowExecution?.workflowId, attempt: info.attempt };
    let requestId: string | undefined;
    return {
      inbound: {
        async execute(input, next) {
          requestId = requestIdOf(input.headers);
          const log = deps.logger.child({ requestId, ...fields });
          log.debug('activity started');
          const started = process.hrtime.bigint();
          const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
          try {
            const result = await next(input);
            const duration = seconds();
            deps.metrics.activityDuration.observe({ activity_type: info.activityType, outcome: 'completed' }, duration);
            log.debug({ durationMs: Math.round(duration * 1000) }, 'activity completed');
            return result;
          } catch (error) {
            const duration = seconds();
            deps.metrics.activityDuration.observe({ activity_type: info.activityType, outcome: 'failed' }, duration);
            deps.metrics.activityFailures.inc({ activity_type: info.activityType });
            log.warn({ err: error, durationMs: Math.round(duration * 1000) }, 'activity failed');
            throw error;
          }
        },
      },
      outbound: {
        // The SDK's own activity logger (Context.current().log) carries the id too.
        getLogAttributes: (input, next) => next(requestId ? { ...input, requestId } : input),
      },
    };
  };
}
