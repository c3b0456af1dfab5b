/**
 * A request process as a process designer writes it: a graph of steps the request workflow walks through.
 * Plain data (JSON), so it can be checked, stored, versioned, drawn and handed to a workflow as input.
 * A leaf module: workflow code, the domain and the console all read these types.
 */
import type { EscalationStep } from '@/domain/deadlines/escalation';
import type { RequestKind } from '@/domain/requests/kinds';

/** ISO-8601 duration, e.g. `P15D`, `P2W`, `PT48H` (the same format as a topic's delay). */
export type IsoDuration = string;

/**
 * A CEL expression (Common Expression Language) over `{ data, citizen, channel, receivedAt }`: `data` is the form's
 * data, `citizen` the contact. Deterministic and side-effect free, so a workflow may evaluate it.
 * Example: `data.age >= 6 && data.age <= 12`, or `data.quartier == "nord" ? "voirie-nord" : "voirie"`.
 */
export type Expression = string;

/** A delay: a duration, counted in business days (the tenant's calendar) when `businessDays` is true. */
export interface ProcessDelay {
  delay: IsoDuration;
  businessDays: boolean;
}

/** What every step may carry. */
export interface StepBase {
  /** Unique within the process; a slug (`repondre`, `valider-n1`). */
  id: string;
  /** What agents and the diagram call the step, in French. */
  label: string;
  /** The step's own delay (from entering it); absent: the step has no deadline of its own. */
  delay?: ProcessDelay;
  /** Reminders while the step is open, as percents of the step's delay (needs `delay`). */
  escalation?: EscalationStep[];
}

/** Channels a message may go through; `reply` is the channel the citizen chose. */
export type MessageChannel = 'reply' | 'email' | 'sms' | 'post';

/** Acknowledges the request: reference, guaranteed date, tracking code. */
export interface AcknowledgeStep extends StepBase {
  kind: 'acknowledge';
  channels: MessageChannel[];
  next: string;
}

/** A routing rule: the first whose condition holds gives the department. */
export interface RouteRule {
  when: Expression;
  /** Department slug. */
  department: string;
}

/** Gives the request to a department: fixed, or chosen by rules on the form's data (the first match wins). */
export interface RouteStep extends StepBase {
  kind: 'route';
  /** Department slug when no rule matches, or always when there are no rules. */
  department: string;
  rules?: RouteRule[];
  next: string;
}

/**
 * An agent of the department takes the request in charge (an explicit action) and writes the answer.
 * The answer is held, not sent: a following `validate` step approves it, a `notify` step with template `answer` sends it.
 */
export interface AnswerStep extends StepBase {
  kind: 'answer';
  /** Answer templates offered to the agent (template slugs); absent: the department's templates. */
  templates?: string[];
  next: string;
}

/** One level of validation: any listed validator, or anyone holding the role. */
export interface ValidationLevel {
  label: string;
  /** `validator`: a validator of the request's department; `administrator`: a tenant administrator. */
  role?: 'validator' | 'administrator';
  /** Named validators (agent e-mail addresses), in addition to the role. */
  validators?: string[];
}

/** The held answer is approved level after level; "return for changes" at any level goes to `returned`. */
export interface ValidateStep extends StepBase {
  kind: 'validate';
  levels: ValidationLevel[];
  approved: string;
  returned: string;
}

/**
 * Waits for the citizen: a question (written by the agent when `template` is absent) is sent, the clock of the
 * guaranteed delay stops, a reminder goes out after `reminderAfter`, and after `timeout` the step goes to `abandoned`.
 */
export interface RequestInformationStep extends StepBase {
  kind: 'request_information';
  /** Message template of the question; absent: the agent writes it when taking the action. */
  template?: string;
  timeout: IsoDuration;
  reminderAfter?: IsoDuration;
  /** The citizen replied. */
  next: string;
  /** No reply before the timeout (usually a `close` step with outcome `abandoned`). */
  abandoned: string;
}

/** An agent accepts or refuses (a refusal needs a reason, which the citizen receives). */
export interface DecideStep extends StepBase {
  kind: 'decide';
  accepted: string;
  refused: string;
}

/** Renders a document from a template (certificate, letter) and attaches it to the request. */
export interface IssueDocumentStep extends StepBase {
  kind: 'issue_document';
  /** Document template: `certificate` or `answer-letter` today. */
  template: string;
  next: string;
}

/** Sends the request to an outside system through a connector (the tenant's export connectors). */
export interface ExportStep extends StepBase {
  kind: 'export';
  connector: string;
  next: string;
}

/** Asks the citizen to pay online (PayFiP): the request waits in `awaiting_payment` until paid, refused or timed out. */
export interface CollectPaymentStep extends StepBase {
  kind: 'collect_payment';
  /** Amount in euro cents: a number, or an expression over the form's data. Not read when `product` is set. */
  amount: number | Expression;
  /** A product of the tenant's catalogue: its price (by bracket on the form's data) and stock apply, not `amount`. */
  product?: string;
  /** Units of `product`: a number, or an expression over the form's data (default 1). */
  quantity?: number | Expression;
  /** What the citizen pays for, as shown on the payment page and the receipt. */
  label: string;
  /** Unpaid after this long: `unpaid`. */
  timeout: IsoDuration;
  paid: string;
  unpaid: string;
}

/** Sends a message to the citizen. Template `answer` sends the held answer. */
export interface NotifyStep extends StepBase {
  kind: 'notify';
  template: string;
  channel: MessageChannel;
  next: string;
}

/** Waits for a duration from entering the step, or until a date taken from the form's data. */
export interface WaitStep extends StepBase {
  kind: 'wait';
  duration?: IsoDuration;
  /** An expression giving an ISO date or date-time (e.g. `data.date_evenement`). */
  until?: Expression;
  next: string;
}

/** How a request ends. */
export type CloseOutcome = 'answered' | 'closed' | 'rejected' | 'abandoned';

/** Ends the request. */
export interface CloseStep extends StepBase {
  kind: 'close';
  outcome: CloseOutcome;
}

/** Every kind of step. */
export type ProcessStep =
  | AcknowledgeStep
  | RouteStep
  | AnswerStep
  | ValidateStep
  | RequestInformationStep
  | DecideStep
  | IssueDocumentStep
  | ExportStep
  | CollectPaymentStep
  | NotifyStep
  | WaitStep
  | CloseStep;

/** The kind names, in the order the documentation lists them. */
export const STEP_KINDS = [
  'acknowledge',
  'route',
  'answer',
  'validate',
  'request_information',
  'decide',
  'issue_document',
  'export',
  'collect_payment',
  'notify',
  'wait',
  'close',
] as const satisfies ReadonlyArray<ProcessStep['kind']>;
export type StepKind = (typeof STEP_KINDS)[number];

/** A request process. */
export interface ProcessDefinition {
  $schema?: string;
  /** Slug, unique per tenant (or among shipped processes); versions share it. */
  slug: string;
  title: string;
  description?: string;
  kind: RequestKind;
  /** The guaranteed delay announced to the citizen at acknowledgement. */
  guaranteedDelay: ProcessDelay;
  /** Reminders against the guaranteed delay (percents); absent: the department's cascade. */
  escalation?: EscalationStep[];
  /** Id of the first step. */
  start: string;
  steps: ProcessStep[];
}

/** A definition as stored: its version is given at import (1, 2, …), never by the file. */
export interface VersionedProcess {
  definition: ProcessDefinition;
  version: number;
}

/** The ids of the steps a step may lead to, in a stable order (for checks, diagrams and the interpreter). */
export function successorsOf(step: ProcessStep): string[] {
  switch (step.kind) {
    case 'validate':
      return [step.approved, step.returned];
    case 'request_information':
      return [step.next, step.abandoned];
    case 'decide':
      return [step.accepted, step.refused];
    case 'collect_payment':
      return [step.paid, step.unpaid];
    case 'close':
      return [];
    default:
      return [step.next];
  }
}

/** Steps where the workflow waits for an agent, the citizen, a payment or time (a loop must pass through one). */
export const WAITING_KINDS: ReadonlySet<StepKind> = new Set(['answer', 'validate', 'request_information', 'decide', 'collect_payment', 'wait']);
