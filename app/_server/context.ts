import 'server-only';
import type { MikroORM } from '@mikro-orm/postgresql';
import pino from 'pino';
import { createRequestLimiter } from '@/domain/antispam/request-limits';
import { env } from '@/domain/env';
import { createIntake } from '@/domain/intake/submission';
import { initORM } from '@/domain/orm';
import { webMetrics } from '@/integrations/observability/web-metrics';
import { requestWorkflowStarter, temporalClient } from '@/temporal/client';

/** Process-wide services of the web app, created once on first use. */
export interface AppContext {
  orm: MikroORM;
  intake: ReturnType<typeof createIntake>;
  temporal: { address: string; namespace: string; taskQueue: string };
}

let context: Promise<AppContext> | undefined;

/** The shared services; fails with the variable's name when the environment is incomplete. */
export function appContext(): Promise<AppContext> {
  context ??= build().catch((error) => {
    context = undefined;
    throw error;
  });
  return context;
}

async function build(): Promise<AppContext> {
  const config = env();
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is not set (npm start sets it for the embedded database).');
  if (!config.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS is not set (npm start sets it for the dev server).');
  const orm = await initORM(config.DATABASE_URL);
  const temporal = { address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE };
  const limiter = createRequestLimiter({ store: async () => orm.em.getConnection().getKnex() });
  const log = pino({ name: 'web' });
  const intake = createIntake({
    orm,
    publicUrl: config.PUBLIC_URL,
    startWorkflow: requestWorkflowStarter(temporal, temporal.taskQueue),
    limiter,
    // The request is stored and answered; a worker's recovery starts its workflow.
    onStartFailure: (error, input) => log.warn({ err: error, workflowId: input.workflowId }, 'request workflow not started yet'),
    observer: webMetrics().intakeObserver,
  });
  return { orm, intake, temporal };
}

/** The Temporal client of the web process. */
export async function appTemporalClient() {
  const { temporal } = await appContext();
  return temporalClient(temporal);
}
