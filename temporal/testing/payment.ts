import type { WorkflowHandle } from '@temporalio/client';
import { payfipControlClient } from '@/dev/payfip-simulator/control';
import { TEST_CARDS } from '@/dev/payfip-simulator/simulator';
import { Payment } from '@/domain/entities';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { paymentSettledSignal } from '@/workflows/process/definitions';
import { eventually } from './fixtures';

/** Pays a request's pending payment with the simulator's accepted card, then notifies the workflow as the notification route does. */
export async function payOnSimulator(handle: WorkflowHandle): Promise<void> {
  const orm = await initORM(env().DATABASE_URL!);
  const payment = await eventually(async () => {
    const found = await orm.em.fork().findOne(Payment, { idempotencyKey: { $like: `${handle.workflowId}:payment:%` } }, { orderBy: { createdAt: 'desc' } });
    if (!found?.providerId) throw new Error('no payment yet');
    return found;
  });
  const control = payfipControlClient(env().PAYFIP_SIMULATOR_URL!);
  if (!(await control.payment(payment.providerId!)).resultrans) await control.pay(payment.providerId!, TEST_CARDS.paid);
  await handle.signal(paymentSettledSignal, { paymentId: payment.providerId!, amount: payment.amount, paidAt: new Date().toISOString() });
}
