import { toInstant, type Instant } from './instant';

/** Who receives an escalation reminder: a role relative to the request's department, or an address. */
export type EscalationRecipient = 'department' | 'head' | 'administrators' | { email: string };

/** One step of a cascade: at `percent` of the processing delay without an answer, remind `recipients`. */
export interface EscalationStep {
  percent: number;
  recipients: EscalationRecipient[];
}

/** A per-department escalation cascade, steps in increasing percent order. */
export type EscalationCascade = EscalationStep[];

/** Cascade used when a department has not configured its own. */
export const DEFAULT_ESCALATION_CASCADE: EscalationCascade = [
  { percent: 66, recipients: ['department'] },
  { percent: 100, recipients: ['head'] },
  { percent: 150, recipients: ['administrators'] },
];

/** Highest percent a step may use (ten times the delay). */
export const MAX_ESCALATION_PERCENT = 1000;

/** Why a cascade step is refused; `code` lets the console word it in French. */
export interface CascadeIssue {
  index: number;
  code: 'percent_invalid' | 'percent_not_increasing' | 'no_recipient' | 'recipient_invalid';
  message: string;
}

/** Raised when a cascade that failed `validateCascade` is used. */
export class InvalidCascadeError extends Error {
  override readonly name = 'InvalidCascadeError';
  constructor(readonly issues: CascadeIssue[]) {
    super(`Invalid escalation cascade: ${issues.map((issue) => `step ${issue.index}: ${issue.message}`).join('; ')}`);
  }
}

const ROLES: ReadonlySet<unknown> = new Set(['department', 'head', 'administrators']);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Lists what is wrong with a cascade (empty when valid); an empty cascade means no escalation. */
export function validateCascade(steps: readonly EscalationStep[]): CascadeIssue[] {
  const issues: CascadeIssue[] = [];
  steps.forEach((step, index) => {
    const { percent, recipients } = step;
    if (typeof percent !== 'number' || !Number.isFinite(percent) || percent <= 0 || percent > MAX_ESCALATION_PERCENT) {
      issues.push({
        index,
        code: 'percent_invalid',
        message: `percent must be greater than 0 and at most ${MAX_ESCALATION_PERCENT}, got ${percent}`,
      });
    } else if (index > 0 && !(percent > steps[index - 1].percent)) {
      issues.push({
        index,
        code: 'percent_not_increasing',
        message: `percent ${percent} must be greater than the previous step's ${steps[index - 1].percent}`,
      });
    }
    if (!Array.isArray(recipients) || recipients.length === 0) {
      issues.push({ index, code: 'no_recipient', message: 'at least one recipient is required' });
      return;
    }
    recipients.forEach((recipient, position) => {
      const valid =
        ROLES.has(recipient) ||
        (typeof recipient === 'object' && recipient !== null && typeof recipient.email === 'string' && EMAIL.test(recipient.email));
      if (!valid) {
        issues.push({
          index,
          code: 'recipient_invalid',
          message: `recipient ${position} must be department, head, administrators or { email }, got ${JSON.stringify(recipient)}`,
        });
      }
    });
  });
  return issues;
}

/** Throws `InvalidCascadeError` unless the cascade is valid. */
export function assertValidCascade(steps: readonly EscalationStep[]): void {
  const issues = validateCascade(steps);
  if (issues.length > 0) throw new InvalidCascadeError(issues);
}

/** A reminder to send at `fireAt` unless the request has been answered. */
export interface PlannedEscalation {
  stepIndex: number;
  percent: number;
  fireAt: Date;
  recipients: EscalationRecipient[];
}

/** Input of `planEscalation`. */
export interface EscalationPlanInput {
  receivedAt: Instant;
  dueAt: Instant;
  cascade: readonly EscalationStep[];
}

/** The reminders of a cascade for one request, in firing order. */
export function planEscalation({ receivedAt, dueAt, cascade }: EscalationPlanInput): PlannedEscalation[] {
  assertValidCascade(cascade);
  const start = toInstant(receivedAt, 'receivedAt').getTime();
  const span = toInstant(dueAt, 'dueAt').getTime() - start;
  if (span <= 0) throw new RangeError('dueAt must be after receivedAt');
  // Elapsed time, not business days: the due date already encodes business days, so 66 % of the span is what the citizen was promised.
  return cascade
    .map((step, stepIndex) => ({
      stepIndex,
      percent: step.percent,
      fireAt: new Date(start + Math.round((span * step.percent) / 100)),
      recipients: [...step.recipients],
    }))
    .sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime() || a.stepIndex - b.stepIndex);
}

/** A request's due date together with its escalation reminders. */
export interface DeadlinePlan {
  dueAt: Date;
  steps: PlannedEscalation[];
}

/**
 * Stops the clock while waiting for the citizen: the due date and every reminder still ahead at
 * `pausedAt` move later by `pausedMs`; reminders already due at `pausedAt` are left as they were.
 */
export function shiftPlan(plan: DeadlinePlan, pausedMs: number, pausedAt: Instant): DeadlinePlan {
  if (!Number.isInteger(pausedMs) || pausedMs < 0) {
    throw new RangeError(`pausedMs must be a non-negative integer, got ${pausedMs}`);
  }
  const pause = toInstant(pausedAt, 'pausedAt').getTime();
  const shift = (instant: Date): Date => (instant.getTime() > pause ? new Date(instant.getTime() + pausedMs) : instant);
  return {
    dueAt: shift(plan.dueAt),
    steps: plan.steps.map((step) => ({ ...step, fireAt: shift(step.fireAt) })),
  };
}

/** Whether the answer is late: the due instant has been reached without an answer. */
export function isOverdue(dueAt: Instant, now: Instant): boolean {
  return toInstant(now, 'now').getTime() >= toInstant(dueAt, 'dueAt').getTime();
}
