export {
  ALSACE_MOSELLE_DEPARTMENTS,
  DEFAULT_TIME_ZONE,
  InvalidCalendarError,
  WorkingCalendar,
  createWorkingCalendar,
  parseLocalDate,
  type WorkingCalendarOptions,
} from './calendar';
export { InvalidDelayError, computeDueAt, parseDelay, type DueAtInput } from './delay';
export {
  DEFAULT_ESCALATION_CASCADE,
  InvalidCascadeError,
  MAX_ESCALATION_PERCENT,
  assertValidCascade,
  isOverdue,
  planEscalation,
  shiftPlan,
  validateCascade,
  type CascadeIssue,
  type DeadlinePlan,
  type EscalationCascade,
  type EscalationPlanInput,
  type EscalationRecipient,
  type EscalationStep,
  type PlannedEscalation,
} from './escalation';
export { InvalidInstantError, toInstant, type Instant } from './instant';
