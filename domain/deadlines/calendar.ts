import Holidays from 'date-holidays';
import { DateTime, IANAZone } from 'luxon';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';


/** Départements of Alsace-Moselle, whose local law adds Good Friday and 26 December. */
export const ALSACE_MOSELLE_DEPARTMENTS = ['57', '67', '68'] as const;

/** Options a tenant supplies to build its working calendar. */
export interface WorkingCalendarOptions {
  /** IANA time zone in which the tenant's days begin and end. */
  timeZone?: string;
  /** Days the town hall is closed (e.g. a "pont"), as `YYYY-MM-DD`. */
  closureDays?: readonly string[];
  /** A `date-holidays` state of France, e.g. `'57'` for Moselle or `'RE'` for La Réunion. */
  region?: string;
}

/** Raised when a calendar is configured with a value that cannot be used. */
export class InvalidCalendarError extends Error {
  override readonly name = 'InvalidCalendarError';
}

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Parses a `YYYY-MM-DD` local date, throwing on anything else. */
export function parseLocalDate(dateISO: string): DateTime {
  const date = LOCAL_DATE.test(dateISO) ? DateTime.fromISO(dateISO, { zone: 'UTC' }) : null;
  if (!date?.isValid) {
    throw new InvalidCalendarError(`Expected a date as YYYY-MM-DD, got "${dateISO}"`);
  }
  return date;
}

let frenchStates: ReadonlySet<string> | undefined;
function knownFrenchStates(): ReadonlySet<string> {
  frenchStates ??= new Set(Object.keys(new Holidays().getStates('FR') ?? {}));
  return frenchStates;
}

const holidaysByRegion = new Map<string, Holidays>();
const publicHolidaysByRegionYear = new Map<string, ReadonlySet<string>>();

/** Public holidays of one year as `YYYY-MM-DD`, computed once per region and year. */
function publicHolidays(region: string | undefined, year: number): ReadonlySet<string> {
  const key = `${region ?? ''}|${year}`;
  const cached = publicHolidaysByRegionYear.get(key);
  if (cached) return cached;

  const regionKey = region ?? '';
  let holidays = holidaysByRegion.get(regionKey);
  if (!holidays) {
    holidays = region ? new Holidays('FR', region) : new Holidays('FR');
    holidaysByRegion.set(regionKey, holidays);
  }
  // `date` is the local calendar date ("2026-05-14 00:00:00"); observances such as Pentecost Sunday are not days off.
  const days = new Set(
    holidays
      .getHolidays(year)
      .filter((holiday) => holiday.type === 'public')
      .map((holiday) => holiday.date.slice(0, 10)),
  );
  publicHolidaysByRegionYear.set(key, days);
  return days;
}

/** A tenant's working days: Monday to Friday, minus French public holidays and its closure days. */
export class WorkingCalendar {
  /** IANA time zone in which dates are read. */
  readonly timeZone: string;
  /** `date-holidays` state of France, if any. */
  readonly region: string | undefined;
  private readonly closureDays: ReadonlySet<string>;

  constructor(options: WorkingCalendarOptions = {}) {
    const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
    if (!IANAZone.isValidZone(timeZone)) {
      throw new InvalidCalendarError(`Unknown time zone "${timeZone}"`);
    }
    if (options.region !== undefined && !knownFrenchStates().has(options.region)) {
      throw new InvalidCalendarError(
        `Unknown French region "${options.region}"; expected one of ${[...knownFrenchStates()].join(', ')}`,
      );
    }
    this.timeZone = timeZone;
    this.region = options.region;
    this.closureDays = new Set(
      (options.closureDays ?? []).map((day) => {
        parseLocalDate(day);
        return day;
      }),
    );
  }

  /** Whether `dateISO` (`YYYY-MM-DD`) is a public holiday for this calendar's region. */
  isPublicHoliday(dateISO: string): boolean {
    const date = parseLocalDate(dateISO);
    return publicHolidays(this.region, date.year).has(dateISO);
  }

  /** Whether `dateISO` (`YYYY-MM-DD`) is one of the tenant's closure days. */
  isClosureDay(dateISO: string): boolean {
    parseLocalDate(dateISO);
    return this.closureDays.has(dateISO);
  }

  /** Whether the town hall works on `dateISO` (`YYYY-MM-DD`). */
  isBusinessDay(dateISO: string): boolean {
    const date = parseLocalDate(dateISO);
    if (date.weekday > 5) return false;
    return !publicHolidays(this.region, date.year).has(dateISO) && !this.closureDays.has(dateISO);
  }

  /** The first business day strictly after `dateISO` (`YYYY-MM-DD`). */
  nextBusinessDay(dateISO: string): string {
    let date = parseLocalDate(dateISO);
    // Closure days are finite and holidays are few, so a working day always comes within weeks.
    do {
      date = date.plus({ days: 1 });
    } while (!this.isBusinessDay(date.toISODate()!));
    return date.toISODate()!;
  }
}

/** Builds a tenant's working calendar; throws `InvalidCalendarError` on a bad setting. */
export function createWorkingCalendar(options: WorkingCalendarOptions = {}): WorkingCalendar {
  return new WorkingCalendar(options);
}
