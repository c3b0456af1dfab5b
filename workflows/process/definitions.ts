import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CurrentStep, PaymentSettled } from '@/domain/processes/workflow-contract';
import type { ActionResult, RefundInput } from '@/domain/requests/contract';

// The agent updates, the citizen's reply and the snapshot are the request workflow's: the console's routes drive both
// workflow types with the same messages.
export * from '@/workflows/request/definitions';
export * from '@/domain/processes/workflow-contract';

/** The step a request is at and the actions possible there. */
export const currentStepQuery = defineQuery<CurrentStep>('currentStep');

/** The payment engine reports a payment settled (the engine itself comes with online payment). */
export const paymentSettledSignal = defineSignal<[PaymentSettled]>('paymentSettled');

/** Records a refund the régie made outside Relais; refused above what was paid online, or when nothing was. */
export const recordRefundUpdate = defineUpdate<ActionResult, [RefundInput]>('recordRefund');
