import 'server-only';
import pino from 'pino';
import type { EntityManager } from '@mikro-orm/postgresql';
import { paymentRequestOf, type SettlementResult } from '@/domain/payments/payments';
import { requestWorkflowId } from '@/domain/requests/contract';
import { paymentSettledSignal } from '@/workflows/process/definitions';
import { appTemporalClient } from './context';

const log = pino({ name: 'web' });

/**
 * Tells the request's workflow that its payment ended, so the collect_payment step asks PayFiP now rather than at its
 * next poll. Best effort: the workflow verifies by itself, and polls when no signal comes.
 */
export async function signalPaymentSettled(em: EntityManager, result: SettlementResult): Promise<void> {
  if (result.status !== 'applied' || !result.payment) return;
  const { payment } = result;
  try {
    const target = await paymentRequestOf(em, payment.id);
    if (!target) return;
    const client = await appTemporalClient();
    await client.workflow.getHandle(requestWorkflowId(target.tenantSlug, target.reference)).signal(paymentSettledSignal, {
      paymentId: payment.providerId ?? payment.id,
      amount: payment.amount,
      paidAt: (payment.paidAt ?? new Date()).toISOString(),
    });
  } catch (error) {
    log.warn({ err: error, payment: payment.reference }, 'payment settled but its workflow was not signalled; it will poll');
  }
}
