import { DateTime, Duration } from 'luxon';
import type { WorkingCalendar } from './calendar';
import { toInstant, type Instant } from './instant';

/** Raised when a processing delay cannot be used to compute a due date. */
export class InvalidDelayError extends Error {
  override readonly name = 'InvalidDelayError';
}

const DATE_UNITS = ['years', 'months', 'weeks', 'days'] as const;
const TIME_UNITS = ['hours', 'minutes', 'seconds', 'milliseconds'] as const;

/** Parses a processing delay such as `P8D`, `P2W`, `PT48H` or `PT30S`; it must be strictly positive. */
export function parseDelay(delay: string): Duration {
  const duration = Duration.fromISO(delay);
  if (!duration.isValid) {
    throw new InvalidDelayError(`Delay "${delay}" is not an ISO-8601 duration (e.g. P8D, P2W, PT48H)`);
  }
  const parts = duration.toObject();
  for (const [unit, value] of Object.entries(parts)) {
    if (value < 0) throw new InvalidDelayError(`Delay "${delay}" has a negative ${unit} part`);
  }
  for (const unit of DATE_UNITS) {
    const value = parts[unit];
    if (value !== undefined && !Number.isInteger(value)) {
      throw new InvalidDelayError(`Delay "${delay}" has a fractional ${unit} part`);
    }
  }
  if (!Object.values(parts).some((value) => value > 0)) {
    throw new InvalidDelayError(`Delay "${delay}" must be longer than zero`);
  }
  return duration;
}

/** Input of `computeDueAt`. */
export interface DueAtInput {
  /** When the request was received. */
  receivedAt: Instant;
  /** ISO-8601 processing delay of the topic, e.g. `P8D`. */
  delay: string;
  /** Count days as business days (tenant setting) rather than calendar days. */
  businessDays: boolean;
  /** The tenant's working calendar; its time zone is used in both modes. */
  calendar: WorkingCalendar;
}

/**
 * The instant by which a request must be answered.
 *
 * Calendar mode adds the delay in the tenant's time zone: days keep the wall-clock time across DST,
 * hours and smaller are elapsed time. Business mode counts N = 5 × weeks + days business days, the
 * first being the day after receipt, and keeps the receipt's wall-clock time; a request received on a
 * non-business day is deemed received on the next business day at the same time. Hours and smaller
 * are then added as elapsed time (alone, they are elapsed time from the actual receipt).
 */
export function computeDueAt({ receivedAt, delay, businessDays, calendar }: DueAtInput): Date {
  const received = DateTime.fromJSDate(toInstant(receivedAt, 'receivedAt'), { zone: calendar.timeZone });
  const duration = parseDelay(delay);
  if (!businessDays) return received.plus(duration).toJSDate();

  const parts = duration.toObject();
  if (parts.years || parts.months) {
    throw new InvalidDelayError(`Delay "${delay}" uses years or months, which cannot be counted in business days`);
  }
  const elapsed = Duration.fromObject(Object.fromEntries(TIME_UNITS.map((unit) => [unit, parts[unit] ?? 0])));
  const count = 5 * (parts.weeks ?? 0) + (parts.days ?? 0);
  if (count === 0) return received.plus(elapsed).toJSDate();

  let day = received.toISODate()!;
  if (!calendar.isBusinessDay(day)) day = calendar.nextBusinessDay(day);
  for (let counted = 0; counted < count; counted++) day = calendar.nextBusinessDay(day);

  const { hour, minute, second, millisecond } = received;
  const due = DateTime.fromISO(day, { zone: calendar.timeZone }).set({ hour, minute, second, millisecond });
  return due.plus(elapsed).toJSDate();
}
