/** One confirmation message of a subscription attempt: the e-mail link or the SMS code. */
export interface SubscriptionConfirmationInput {
  tenantId: string;
  subscriptionId: string;
  attempt: number;
}

/** The workflow id of one confirmation attempt: a retried start never sends a second message. */
export function subscriptionConfirmationWorkflowId(input: SubscriptionConfirmationInput): string {
  return `subscription-confirmation:${input.tenantId}:${input.subscriptionId}:${input.attempt}`;
}
