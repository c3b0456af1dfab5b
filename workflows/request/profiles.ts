import type { ActivityOptions } from '@temporalio/workflow';

/** Named activity option profiles: each kind of side effect has its own timeouts and retries. */
export const ACTIVITY_PROFILES = {
  projection: {
    startToCloseTimeout: '10 seconds',
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
} satisfies Record<string, ActivityOptions>;
