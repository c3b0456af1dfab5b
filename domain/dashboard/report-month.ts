// Pure month arithmetic on `YYYY-MM` strings; workflow code imports it, so no I/O and no Node built-ins.

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** True for a well-formed month `YYYY-MM`. */
export function isReportMonth(value: unknown): value is string {
  return typeof value === 'string' && MONTH.test(value);
}

/** The calendar month (`YYYY-MM`) an instant falls in, in a time zone. */
export function monthAt(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}`;
}

/** The month before a month: `2027-01` → `2026-12`. */
export function previousMonth(month: string): string {
  const [year, m] = month.split('-').map(Number);
  return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, '0')}`;
}
