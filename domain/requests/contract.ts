/**
 * The request workflow's contract with the rest of Relais: its id, its input and the shapes of its messages.
 * Plain types and functions, so the domain can name them without depending on Temporal; the message
 * definitions themselves live with the workflow (workflows/request/definitions.ts).
 */
import type { EscalationStep } from '@/domain/deadlines/escalation';
import type { ReplyChannel, RequestKind, RequestState } from '@/domain/requests/kinds';

/** Task queue of request workflows and their activities. */
export const REQUEST_TASK_QUEUE = 'relais-requests';

/** The only way to name a request workflow. */
export function requestWorkflowId(tenantSlug: string, reference: string): string {
  return `request:${tenantSlug}:${reference}`;
}

/** A department as the workflow knows it. */
export interface DepartmentRef {
  id: string;
  slug: string;
}

/** Everything a request workflow needs, fixed at intake. */
export interface RequestWorkflowInput {
  tenantId: string;
  tenantSlug: string;
  requestId: string;
  reference: string;
  /** Only in the acknowledgement: the database keeps a hash of it. */
  trackingCode: string;
  receivedAt: string;
  dueAt: string;
  department: DepartmentRef;
  validationRequired: boolean;
  stopClockWhileAwaitingCitizen: boolean;
  /** States whose arrival is notified to the citizen. */
  citizenNotifications: RequestState[];
  escalation: EscalationStep[];
  autoCloseAfterMs: number;
  /** Absent from requests started before documents existed: read as 'question' and e-mail. */
  kind?: RequestKind;
  replyChannel?: ReplyChannel;
  /** False when the citizen must get no acknowledgement (an e-mail sender past the hourly limit); absent means true. */
  acknowledge?: false;
}

/** Who performs an agent action; the web layer has checked the session and loaded the roles. */
export interface Actor {
  agentId: string;
  name: string;
  /** The agent's e-mail address: named validators of a process are matched by it (absent: only roles count). */
  email?: string;
  departmentIds: string[];
  validatorOf: string[];
  isAdmin: boolean;
}

/** Payload of every agent update. */
export interface ActionInput {
  actor: Actor;
}
/** An answer text (draft, submission or final answer). */
export interface AnswerInput extends ActionInput {
  body: string;
}
/** A validator returns the draft with a comment. */
export interface ReturnInput extends ActionInput {
  comment: string;
}
/** Transfer to another department. */
export interface TransferInput extends ActionInput {
  to: DepartmentRef & { name: string };
  note?: string;
}
/** A question put to the citizen. */
export interface AskCitizenInput extends ActionInput {
  question: string;
}
/** An internal note, never shown to the citizen. */
export interface NoteInput extends ActionInput {
  text: string;
}

/** A refund the régie made outside Relais (PayFiP has no refund call), recorded on the case; amount in cents. */
export interface RefundInput extends ActionInput {
  amount: number;
  reason: string;
}

/** A registration accepted, with an optional message to the citizen. */
export interface AcceptRegistrationInput extends ActionInput {
  message?: string;
}
/** A registration refused, with the reason given to the citizen. */
export interface RejectRegistrationInput extends ActionInput {
  reason: string;
}

/** A message to the citizen sent again, through the channel the agent chose (e-mail ↔ SMS). */
export interface ResendInput extends ActionInput {
  /** The citizen message: acknowledgement, state_changed, information_requested or answer. */
  template: string;
  channel: 'email' | 'sms';
  /** For a state change: the state it announced. */
  state?: RequestState;
}

/** What an accepted action returns to the console. */
export interface ActionResult {
  state: RequestState;
  dueAt: string;
}

/** Live view of a request workflow. */
export interface RequestSnapshot {
  state: RequestState;
  department: DepartmentRef;
  dueAt: string;
  draft?: string;
  draftAuthorId?: string;
  validationComment?: string;
  answer?: string;
  remindersSent: number[];
}

/** A citizen's reply (tracking page, e-mail or SMS). */
export interface CitizenReply {
  body: string;
  via: 'web' | 'email' | 'sms';
}
