import { createRequire } from 'node:module';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createRequestActivities } from '../activities/request';
import type { EmailSender } from '../activities/notifications/email';
import { REQUEST_TASK_QUEUE } from '../workflows/request/definitions';

const require = createRequire(import.meta.url);

/** Bundles the workflow code once (about 2 s); tests and the worker reuse it. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../workflows/index.ts'), logger: quietBundlerLogger });
}

/** What a Relais worker needs. */
export interface WorkerDeps {
  temporalAddress: string;
  namespace: string;
  orm: MikroORM;
  email: EmailSender;
  publicUrl: string;
  workflowBundle?: WorkflowBundleWithSourceMap;
  taskQueue?: string;
}

/** Creates the worker of request workflows and their activities. */
export async function createRelaisWorker(deps: WorkerDeps): Promise<Worker> {
  const connection = await NativeConnection.connect({ address: deps.temporalAddress });
  const bundle = deps.workflowBundle ?? (await bundleWorkflows());
  return Worker.create({
    connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue ?? REQUEST_TASK_QUEUE,
    workflowBundle: bundle,
    activities: createRequestActivities({ orm: deps.orm, email: deps.email, publicUrl: deps.publicUrl }),
    maxConcurrentActivityTaskExecutions: 100,
    maxConcurrentWorkflowTaskExecutions: 100,
  });
}

const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
  log: () => undefined,
};
