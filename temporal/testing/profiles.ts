import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, type ActivityOptions } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { env } from '@/domain/env';
import { testClient } from './fixtures';
import type { profiledActivityWorkflow } from './profile-workflow';

const require = createRequire(import.meta.url);

/** One attempt of an activity, as the activity saw it. */
export interface ObservedAttempt {
  /** Temporal's attempt number (Context.current().info.attempt). */
  attempt: number;
  startedAt: number;
  outcome: 'completed' | 'failed';
}

/** What one scheduled activity did. */
export interface ProfiledRun<T> {
  result?: T;
  /** The activity's last failure, as the workflow received it. */
  failure?: Error;
  attempts: ObservedAttempt[];
  /** Attempt number of ActivityTaskStarted in the workflow's history (the server records the last attempt only). */
  historyAttempt?: number;
}

type AnyActivity = (...args: never[]) => Promise<unknown>;

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Where the test run's global setup leaves the bundled workflow, so that each test file does not bundle it again. */
export const PROFILE_BUNDLE_ENV = 'RELAIS_PROFILE_WORKFLOW_BUNDLE';

/** Bundles the workflow that schedules one activity (about 2 s, longer on a loaded machine). */
export function bundleProfileWorkflow(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('./profile-workflow.ts'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
}

/**
 * The same options with the waits between retries divided: coefficient, attempt limit, non-retryable types and
 * timeouts stay the workflow's. For profiles whose first retry waits seconds.
 */
export function withWaitsDividedBy(options: ActivityOptions, divisor: number): ActivityOptions {
  const retry = options.retry ?? {};
  const divide = (value: ActivityOptions['startToCloseTimeout']) => (value === undefined ? undefined : Math.ceil(msToNumber(value) / divisor));
  return { ...options, retry: { ...retry, initialInterval: divide(retry.initialInterval ?? '1 second'), maximumInterval: divide(retry.maximumInterval) } };
}

/**
 * A real worker on a task queue of its own, running the given activities as a workflow schedules them: each call
 * goes through Temporal's retry policy, and every attempt is observed.
 */
export async function startProfileWorker(activities: Record<string, AnyActivity>) {
  quietRuntime();
  const connection = await NativeConnection.connect({ address: env().TEMPORAL_ADDRESS! });
  const taskQueue = `profiles-${randomUUID().slice(0, 8)}`;
  const observed = new Map<string, ObservedAttempt[]>();

  const observe = (activity: AnyActivity) =>
    async (...args: never[]) => {
      const { info } = Context.current();
      const attempt: ObservedAttempt = { attempt: info.attempt, startedAt: Date.now(), outcome: 'failed' };
      const workflowId = info.workflowExecution?.workflowId ?? '';
      observed.set(workflowId, [...(observed.get(workflowId) ?? []), attempt]);
      const result = await activity(...args);
      attempt.outcome = 'completed';
      return result;
    };

  const codePath = process.env[PROFILE_BUNDLE_ENV];
  const worker = await Worker.create({
    connection,
    namespace: env().TEMPORAL_NAMESPACE,
    taskQueue,
    workflowBundle: codePath ? { codePath } : await (bundle ??= bundleProfileWorkflow()),
    activities: Object.fromEntries(Object.entries(activities).map(([name, activity]) => [name, observe(activity)])),
  });
  const running = worker.run();
  const client = await testClient();

  return {
    /** Schedules one activity with these options and waits for its final outcome. */
    async run<T>(activity: string, args: unknown[], options: ActivityOptions): Promise<ProfiledRun<T>> {
      const workflowId = `${taskQueue}:${randomUUID()}`;
      const handle = await client.workflow.start<typeof profiledActivityWorkflow>('profiledActivityWorkflow', {
        taskQueue,
        workflowId,
        args: [{ activity, args, options }],
      });
      const run: ProfiledRun<T> = { attempts: [] };
      try {
        run.result = (await handle.result()) as T;
      } catch (error) {
        if (!(error instanceof WorkflowFailedError) || !(error.cause instanceof ActivityFailure)) throw error;
        run.failure = error.cause.cause;
      }
      run.attempts = observed.get(workflowId) ?? [];
      const { events } = await handle.fetchHistory();
      run.historyAttempt = events?.find((e) => e.activityTaskStartedEventAttributes)?.activityTaskStartedEventAttributes?.attempt ?? undefined;
      return run;
    },
    async close(): Promise<void> {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** Worker state changes and the failed attempts tests cause on purpose are logged below ERROR; tests keep errors only. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch (error) {
    // Installed once per process: a second worker in the same file finds it there.
    if (!(error instanceof IllegalStateError)) throw error;
  }
}
