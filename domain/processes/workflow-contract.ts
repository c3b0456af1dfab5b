/**
 * The process workflow's contract with the rest of Relais: its input, what its `currentStep` query returns and the
 * payment signal. Plain types, so the intake and the console can name them without depending on Temporal; the
 * message definitions live with the workflow (workflows/process/definitions.ts).
 *
 * Versioning: requests started before processes existed keep running as `requestWorkflow` (another workflow type,
 * still registered on the worker); new requests start `processWorkflow` with the process definition in their input,
 * so a running request never changes process and a new version of a process applies to new requests only.
 */
import type { IntakeChannel, RequestState } from '@/domain/requests/kinds';
import type { DepartmentRef, RequestWorkflowInput } from '@/domain/requests/contract';
import type { ProcessDefinition, StepKind } from './definition';

/** The workflow type new requests start (the name of the exported workflow function). */
export const PROCESS_WORKFLOW_TYPE = 'processWorkflow';

/** The process a request runs, copied into its workflow input at intake. */
export interface ProcessRef {
  slug: string;
  version: number;
  definition: ProcessDefinition;
}

/**
 * Everything a process workflow needs, fixed at intake: the request workflow's input, the process, and what the
 * process's expressions and routes read.
 *
 * - `dueAt` is the guaranteed date computed from `process.definition.guaranteedDelay` (tenant calendar when in
 *   business days); `escalation` is `definition.escalation`, or the department's cascade when the process has none.
 * - `validationRequired` is not read: the process's `validate` steps decide.
 */
export interface ProcessWorkflowInput extends RequestWorkflowInput {
  process: ProcessRef;
  /** The tenant's departments by slug: `route` steps resolve their department here, without a database round trip. */
  departments: Record<string, DepartmentRef>;
  /** The form's data (`data` in expressions); absent for a request without a form. */
  formData?: Record<string, unknown>;
  /** The citizen's contact as given at intake (`citizen` in expressions). */
  citizen?: Record<string, unknown>;
  /** How the request came in (`channel` in expressions). */
  channel?: IntakeChannel;
  /** A purchase (`POST /purchases`): the first `collect_payment` step without a product of its own adopts it. */
  purchase?: PurchaseRef;
}

/**
 * A purchase whose stock hold and payment the intake already made under `key`: the workflow's step passes the same
 * key, product, quantity and data, so it finds that hold and payment instead of making second ones.
 */
export interface PurchaseRef {
  key: string;
  product: string;
  quantity: number;
  /** What prices a bracket (quotient familial): the same data gives the same amount. */
  data?: Record<string, unknown>;
  /** Shown on the payment page (PayFiP `objet`). */
  label: string;
  /** The buyer's e-mail: PayFiP's ticket and the per-citizen limit. */
  email: string;
}

/** The agent actions (update names) a process step may allow. */
export const PROCESS_ACTIONS = [
  'openRequest',
  'saveDraft',
  'submitForValidation',
  'answerRequest',
  'approveAnswer',
  'returnDraft',
  'askCitizen',
  'transferRequest',
  'acceptRegistration',
  'rejectRegistration',
  'addNote',
  'closeRequest',
  'resendNotification',
  'recordRefund',
] as const;
/** One of PROCESS_ACTIONS. */
export type ProcessAction = (typeof PROCESS_ACTIONS)[number];

/** What the `currentStep` query returns: the console builds its buttons from `allowedActions`. */
export interface CurrentStep {
  stepId: string;
  kind: StepKind;
  label: string;
  /** The request's state (as the `snapshot` query gives it). */
  state: RequestState;
  /** Update names possible at this step now; each is still checked against the agent (department, role). */
  allowedActions: ProcessAction[];
  /**
   * True while the run passes automatic steps or is still entering this one: an action sent now waits for the step
   * where the run rests and is checked there.
   */
  inTransit: boolean;
  /** The guaranteed date of the request (moves when the clock stops while awaiting the citizen). */
  dueAt?: string;
  /** The step's own deadline, when the step has a delay. */
  stepDueAt?: string;
  /** At a `validate` step: the level awaiting approval (0-based) and its label. */
  validationLevel?: { index: number; label: string };
  /** At `answer` and `decide` steps: whether an agent has taken the request in charge. */
  takenInCharge?: boolean;
}

/** A payment reported settled by the payment engine (which comes with online payment). */
export interface PaymentSettled {
  /** The payment provider's reference. */
  paymentId: string;
  /** Amount paid, in euro cents. */
  amount: number;
  paidAt: string;
}
