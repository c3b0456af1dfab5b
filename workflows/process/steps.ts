/**
 * Pure helpers of the process interpreter: what a step allows, durations and the CEL expressions of a definition.
 * Deterministic (no clock, no I/O), so the workflow may call them and replay gives the same answers.
 */
import { evaluate } from '@marcbachmann/cel-js';
import { Duration } from 'luxon';
import type { Expression, ProcessStep, RouteStep, StepKind } from '@/domain/processes/definition';
import type { ProcessAction, ProcessWorkflowInput } from '@/domain/processes/workflow-contract';

/** Steps where the run stops until an agent, the citizen, a payment or time moves it on. */
export const RESTING_KINDS: ReadonlySet<StepKind> = new Set(['answer', 'validate', 'request_information', 'decide', 'collect_payment', 'wait', 'close']);

/** What expressions read: `{ data, citizen, channel, receivedAt }`. */
export interface ExpressionContext {
  data: Record<string, unknown>;
  citizen: Record<string, unknown>;
  channel: string;
  receivedAt: string;
}

/** The variables a run's expressions see, fixed at intake. */
export function expressionContext(input: ProcessWorkflowInput): ExpressionContext {
  return { data: input.formData ?? {}, citizen: input.citizen ?? {}, channel: input.channel ?? 'web', receivedAt: input.receivedAt };
}

/** The value of an expression, or the reason it has none (a missing field, a type error). */
export type Evaluation = { ok: true; value: unknown } | { ok: false; error: string };

/** Evaluates a CEL expression; never throws (a process must not fail on a citizen's data). */
export function evaluateExpression(expression: Expression, context: ExpressionContext): Evaluation {
  try {
    return { ok: true, value: evaluate(expression, context as unknown as Record<string, unknown>) };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0] };
  }
}

/** The department slug a route step gives: the first rule whose condition is true, else the step's department. */
export function routeOf(step: RouteStep, context: ExpressionContext): { department: string; rule?: number; errors: string[] } {
  const errors: string[] = [];
  for (const [index, rule] of (step.rules ?? []).entries()) {
    const outcome = evaluateExpression(rule.when, context);
    if (!outcome.ok) errors.push(`rules[${index}]: ${outcome.error}`);
    else if (outcome.value === true) return { department: rule.department, rule: index, errors };
  }
  return { department: step.department, errors };
}

/** The instant an `until` expression gives (an ISO date or date-time, or a CEL timestamp), in ms; undefined if none. */
export function instantOf(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value !== 'string') return undefined;
  // A bare date means its start, in UTC: the step waits at least until that day has begun everywhere in France.
  const instant = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(instant) ? undefined : instant;
}

/** An amount in euro cents from a number or an expression's value; undefined when it is not a whole positive number. */
export function centsOf(value: unknown): number | undefined {
  const amount = typeof value === 'bigint' ? Number(value) : value;
  return typeof amount === 'number' && Number.isInteger(amount) && amount >= 0 ? amount : undefined;
}

/** An ISO-8601 duration in ms (elapsed time: a day is 24 h, a month 30 days); 0 when unreadable. */
export function durationMs(iso: string): number {
  const duration = Duration.fromISO(iso);
  return duration.isValid ? Math.max(0, duration.toMillis()) : 0;
}

/** What a run knows of its current step when it lists the allowed actions. */
export interface StepStatus {
  /** The run has ended (closed or rejected). */
  ended: boolean;
  /** An agent has taken the request in charge (reset by a transfer). */
  inCharge: boolean;
  /** At a `request_information` step: the question went out. */
  asked: boolean;
  /** At a `close` step: the request is answered and waits for an agent to close it (or the automatic closing). */
  answeredAwaitingClose: boolean;
  /** The step after an `answer` step is a `validate` step: the answer is submitted, not sent. */
  answerNeedsValidation: boolean;
  /** Some of what was paid online has not been refunded yet: a refund may be recorded, whatever the step. */
  refundable?: boolean;
}

const ALWAYS: ProcessAction[] = ['addNote', 'resendNotification'];

/** The agent actions possible at a step; the validators still check who acts (department, role). */
export function allowedActions(step: ProcessStep, status: StepStatus): ProcessAction[] {
  const actions = stepActions(step, status);
  return status.refundable ? [...actions, 'recordRefund'] : actions;
}

function stepActions(step: ProcessStep, status: StepStatus): ProcessAction[] {
  if (status.ended) return [...ALWAYS];
  switch (step.kind) {
    case 'answer':
      return status.inCharge
        ? ['openRequest', 'saveDraft', status.answerNeedsValidation ? 'submitForValidation' : 'answerRequest', 'askCitizen', 'transferRequest', 'closeRequest', ...ALWAYS]
        : ['openRequest', 'transferRequest', 'closeRequest', ...ALWAYS];
    case 'decide':
      return status.inCharge
        ? ['openRequest', 'acceptRegistration', 'rejectRegistration', 'askCitizen', 'transferRequest', 'closeRequest', ...ALWAYS]
        : ['openRequest', 'transferRequest', 'closeRequest', ...ALWAYS];
    case 'validate':
      return ['approveAnswer', 'returnDraft', ...ALWAYS];
    case 'request_information':
      return status.asked || step.template ? ['closeRequest', ...ALWAYS] : ['askCitizen', 'closeRequest', ...ALWAYS];
    case 'collect_payment':
    case 'wait':
      return ['closeRequest', ...ALWAYS];
    case 'close':
      return status.answeredAwaitingClose ? ['closeRequest', ...ALWAYS] : [...ALWAYS];
    default:
      // Automatic steps pass on their own: no agent action moves them.
      return [...ALWAYS];
  }
}

/** The French refusal of an action the current step does not allow. */
export function notAtThisStep(step: ProcessStep): string {
  return `Cette action n'est pas possible à l'étape « ${step.label} ».`;
}
