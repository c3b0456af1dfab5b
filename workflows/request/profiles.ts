import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

/** Named activity option profiles: each kind of side effect has its own timeouts and retries. */
export const ACTIVITY_PROFILES = {
  projection: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds', backoffCoefficient: 2 },
  },
  localProjection: {
    startToCloseTimeout: '10 seconds',
    localRetryThreshold: '10 seconds',
    retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds', backoffCoefficient: 2 },
  },
  notification: {
    startToCloseTimeout: '30 seconds',
    retry: {
      initialInterval: '1 second',
      maximumInterval: '1 minute',
      backoffCoefficient: 2,
      nonRetryableErrorTypes: ['InvalidRecipient', 'UnknownRequest'],
    },
  },
  pdf: {
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: 5,
      nonRetryableErrorTypes: ['UnknownRequest', 'InvalidRecipient', 'NoAnswer', 'InvalidInput'],
    },
  },
  // A business system may be down for a while: keep trying for a week, but never after a 4xx refusal.
  export: {
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: '7 days',
    retry: {
      initialInterval: '10 seconds',
      backoffCoefficient: 2,
      maximumInterval: '30 minutes',
      nonRetryableErrorTypes: ['ExportRejected', 'ExportMisconfigured', 'UnknownRequest'],
    },
  },
  // PayFiP may be slow or down for a while: a few minutes of retries, then the step gives up on that payment.
  payment: {
    startToCloseTimeout: '30 seconds',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: 10,
      nonRetryableErrorTypes: ['InvalidInput', 'PaymentNotConfigured', 'UnknownRequest'],
    },
  },
} satisfies Record<string, ActivityOptions | LocalActivityOptions>;
