import { describe, expect, it } from 'vitest';
import { newId } from '@/temporal/testing/cli';
import { eventually, testClient } from '@/temporal/testing/fixtures';
import { eagerActivityDispatches } from '@/temporal/testing/prometheus';
import { TEMPORAL_METRICS_ENV } from '@/temporal/testing/stack';
import { REQUEST_TASK_QUEUE } from '@/workflows/request/definitions';

describe('probe workflow (worker of the test stack)', () => {
  it('starts, runs its one activity on the worker and completes with the worker’s clock', async () => {
    const client = await testClient();
    const before = Date.now();
    const handle = await client.workflow.start('probeWorkflow', { taskQueue: REQUEST_TASK_QUEUE, workflowId: `probe-${newId()}` });
    const answered = (await handle.result()) as number;
    expect(answered).toBeGreaterThanOrEqual(before - 5_000);
    expect(answered).toBeLessThanOrEqual(Date.now() + 5_000);
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.filter((event) => event.activityTaskScheduledEventAttributes).map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)).toEqual(['probe']);
  });

  it('gets its activity with the workflow task’s reply: the server runs with deploy/temporal/dynamicconfig.yaml', async () => {
    const metricsUrl = process.env[TEMPORAL_METRICS_ENV]!;
    const client = await testClient();
    const before = await eagerActivityDispatches(metricsUrl);
    await client.workflow.execute('probeWorkflow', { taskQueue: REQUEST_TASK_QUEUE, workflowId: `probe-${newId()}` });
    // Other test files run activities meanwhile: the count only has to move, which it never does with the setting off.
    // The server publishes its counters every few seconds.
    await eventually(async () => expect(await eagerActivityDispatches(metricsUrl)).toBeGreaterThan(before));
  });
});
