// The words a request is described with: a leaf module, so entities, contracts and workflow code can share them.

/** Lifecycle states of a request (labels in French live in the UI). */
export const REQUEST_STATES = [
  'received',
  'in_progress',
  'transferred',
  'awaiting_citizen',
  'awaiting_validation',
  'awaiting_payment',
  'answered',
  'closed',
  'rejected',
] as const;
/** One of REQUEST_STATES. */
export type RequestState = (typeof REQUEST_STATES)[number];

/** How the request reached the town hall. */
export type IntakeChannel = 'web' | 'email' | 'sms' | 'form' | 'counter' | 'phone';
/** How the citizen wants to be answered. */
export type ReplyChannel = 'email' | 'sms' | 'post';

/** What kind of request a topic produces. */
export type RequestKind = 'question' | 'document' | 'registration' | 'purchase' | 'subscription';
