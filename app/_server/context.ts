import 'server-only';
import type { MikroORM } from '@mikro-orm/postgresql';
import pino from 'pino';
import { createRequestLimiter } from '@/domain/antispam/request-limits';
import { env } from '@/domain/env';
import { createIntake } from '@/domain/intake/submission';
import { initORM } from '@/domain/orm';
import { webMetrics } from '@/integrations/observability/web-metrics';
import { createSubscriptions } from '@/domain/subscriptions/subscriptions';
import { createPurchases } from '@/domain/payments/purchases';
import { paymentProviderFor } from '@/integrations/payment';
import { requestWorkflowStarter, subscriptionConfirmationStarter, temporalClient } from '@/temporal/client';

/** Process-wide services of the web app, created once on first use. */
export interface AppContext {
  orm: MikroORM;
  intake: ReturnType<typeof createIntake>;
  subscriptions: ReturnType<typeof createSubscriptions>;
  purchases: ReturnType<typeof createPurchases>;
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
  // Same limits as the request API: a subscription request counts as one request of its address and contacts.
  const subscriptions = createSubscriptions({ orm, limiter, startConfirmation: subscriptionConfirmationStarter(temporal, temporal.taskQueue) });
  const purchases = createPurchases({ orm, intake, providerFor: paymentProviderFor, publicUrl: config.PUBLIC_URL });
  return { orm, intake, subscriptions, purchases, temporal };
}

/** The Temporal client of the web process. */
export async function appTemporalClient() {
  const { temporal } = await appContext();
  return temporalClient(temporal);
}
