import { describe, expect, it } from 'vitest';
import { newId } from '@/temporal/testing/cli';
import { testClient } from '@/temporal/testing/fixtures';
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
});
