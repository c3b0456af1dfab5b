import { DateTime } from 'luxon';

/** An instant as a `Date` or an ISO-8601 string with an explicit offset (`Z` or `+02:00`). */
export type Instant = Date | string;

/** Raised when a value given as an instant is not one. */
export class InvalidInstantError extends Error {
  override readonly name = 'InvalidInstantError';
}

const EXPLICIT_OFFSET = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** Parses an instant; strings without an offset are refused because their meaning would depend on the host. */
export function toInstant(value: Instant, label = 'instant'): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidInstantError(`${label} is an invalid Date`);
    return value;
  }
  const parsed = typeof value === 'string' ? DateTime.fromISO(value, { setZone: true }) : null;
  if (!parsed?.isValid || !EXPLICIT_OFFSET.test(value)) {
    throw new InvalidInstantError(`${label} must be an ISO-8601 instant with an offset, got "${String(value)}"`);
  }
  return parsed.toJSDate();
}
