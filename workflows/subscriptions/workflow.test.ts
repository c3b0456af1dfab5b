import { afterAll, describe, expect, it } from 'vitest';
import { appContext } from '@/app/_server/context';
import { closeAllORMs } from '@/domain/orm';
import { confirmationKey } from '@/domain/subscriptions/delivery';
import { testClient } from '@/temporal/testing/fixtures';
import { SUBSCRIPTION_HISTORIES_DIR, keepHistory } from '@/temporal/testing/histories';
import { citizenEmail, mailTo, waitForMail } from '@/temporal/testing/helpers';
import { subscriptionState } from '@/temporal/testing/subscriptions';
import { REQUEST_TASK_QUEUE } from '@/workflows/request/definitions';
import { subscriptionConfirmationWorkflowId } from './definitions';

afterAll(() => closeAllORMs());

describe('subscription confirmation workflow (worker of the test stack)', () => {
  it('sends the confirmation of an attempt once; a start again for the same attempt sends nothing more; a stale attempt sends nothing', async () => {
    const email = citizenEmail('workflow');
    const { subscriptions } = await appContext();
    await subscriptions.requestSubscription('demo', { list: 'securite', email }, { via: 'test' });
    const state = (await subscriptionState('demo', 'securite', email))!;
    const input = { tenantId: (await tenantId()), subscriptionId: state.id, attempt: 1 };
    const client = await testClient();
    const handle = client.workflow.getHandle(subscriptionConfirmationWorkflowId(input));
    expect(await handle.result()).toBe('sent');
    await keepHistory('confirmation-sent', handle, SUBSCRIPTION_HISTORIES_DIR);
    await waitForMail(email);

    // A second request makes attempt 2; attempt 1 started again (as a retried start would, under a new id) is superseded.
    await subscriptions.requestSubscription('demo', { list: 'securite', email }, { via: 'test' });
    await waitForMail(email, () => true, { count: 2 });
    const stale = await client.workflow.start('subscriptionConfirmationWorkflow', {
      taskQueue: REQUEST_TASK_QUEUE,
      workflowId: `${subscriptionConfirmationWorkflowId(input)}:again`,
      args: [input],
    });
    expect(await stale.result()).toBe('superseded');
    await keepHistory('confirmation-superseded', stale, SUBSCRIPTION_HISTORIES_DIR);
    expect(await mailTo(email)).toHaveLength(2);
    expect(confirmationKey(input)).toBe(`subscription:${state.id}:confirm:1`);
  });
});

async function tenantId(): Promise<string> {
  const { orm } = await appContext();
  const [row] = await orm.em.fork().getConnection().execute<Array<{ id: string }>>("select id from tenant where slug = 'demo'");
  return row.id;
}
