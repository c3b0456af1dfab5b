import { proxyActivities } from '@temporalio/workflow';
import type { SubscriptionActivities } from '@/activities/subscriptions/subscription-activities';
import { ACTIVITY_PROFILES } from '@/workflows/request/profiles';
import type { SubscriptionConfirmationInput } from './definitions';

const { sendSubscriptionConfirmation } = proxyActivities<SubscriptionActivities>({
  ...ACTIVITY_PROFILES.notification,
  // A citizen waits for the code: give up after a few minutes rather than send a stale one.
  scheduleToCloseTimeout: '10 minutes',
  retry: { ...ACTIVITY_PROFILES.notification.retry, nonRetryableErrorTypes: [...ACTIVITY_PROFILES.notification.retry.nonRetryableErrorTypes, 'SmsRejected'] },
});

/** Sends the confirmation of one subscription attempt, exactly once (the message's key is the attempt's). */
export async function subscriptionConfirmationWorkflow(input: SubscriptionConfirmationInput): Promise<string> {
  return sendSubscriptionConfirmation(input);
}
