import type { Client } from '@temporalio/client';

// Workflow ids unique in this process, whichever run asks.
let probeSequence = 0;

/**
 * Runs the probe workflow (started, one activity, completed) from `concurrency` clients, each waiting for its result
 * before starting the next, while `more(started)` says so; returns how many completed.
 */
export async function runProbeWorkflows(client: Client, taskQueue: string, concurrency: number, more: (started: number) => boolean): Promise<number> {
  let started = 0;
  let completed = 0;
  const prober = async () => {
    while (more(started)) {
      started += 1;
      await client.workflow.execute('probeWorkflow', { taskQueue, workflowId: `probe-${process.pid}-${++probeSequence}` });
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, prober));
  return completed;
}
