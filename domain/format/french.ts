// Dates, numbers and durations as a French reader expects them. Pure Intl, no I/O: the portal, the console, documents
// and e-mails all format through here, and client components may import it.
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';

const formats = new Map<string, Intl.DateTimeFormat>();

// Building an Intl.DateTimeFormat costs far more than using one: keep one per shape and time zone.
function dateFormat(shape: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${shape}|${options.timeZone}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('fr-FR', options);
    if (formats.size > 500) formats.clear();
    formats.set(key, format);
  }
  return format;
}

/** "24/03/2026 à 16:37": an instant in the tenant's time zone, as the portal and the messages write it. */
export function formatFrenchDateTime(date: Date, timeZone = DEFAULT_TIME_ZONE): string {
  const parts = dateFormat('date-time', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')}/${get('month')}/${get('year')} à ${get('hour')}:${get('minute')}`;
}

/** "5 décembre 2026 à 10 h 12": an instant written out for a citizen, as a sentence says it. */
export function frenchLongDateTime(date: Date, timeZone = DEFAULT_TIME_ZONE): string {
  const parts = dateFormat('hour-minute', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${frenchLongDate(date, timeZone)} à ${Number(get('hour'))} h ${get('minute')}`;
}

/** "24/03/2026 16:37": a short date and time, for the console's tables. */
export function formatShortDateTime(date: Date, timeZone = DEFAULT_TIME_ZONE): string {
  return dateFormat('short', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(date);
}

/** "24/03/2026 16:37:05": a date and time to the second, for journals and exports. */
export function formatDateTimeWithSeconds(date: Date, timeZone = DEFAULT_TIME_ZONE): string {
  return dateFormat('seconds', { timeZone, dateStyle: 'short', timeStyle: 'medium' }).format(date);
}

/** "28 novembre 2026", "1er mai 2027": the long date of an instant in a time zone, as letters write it. */
export function frenchLongDate(date: Date, timeZone: string): string {
  const text = dateFormat('long', { timeZone, day: 'numeric', month: 'long', year: 'numeric' }).format(date);
  return text.replace(/^1 /, '1er ');
}

/** "2026-03-05" → "5 mars 2026" ("1er" for the first of a month): a calendar date, whatever the time zone. */
export function frenchDate(isoDate: string): string {
  return frenchLongDate(new Date(`${isoDate}T00:00:00Z`), 'UTC');
}

/** A month as French readers name it: `2026-10` → `octobre 2026`. */
export function frenchMonth(month: string): string {
  return dateFormat('month', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${month}-15T00:00:00Z`));
}

/** "de novembre 2026", "d’octobre 2026": the month after "le rapport". */
export function ofFrenchMonth(month: string): string {
  const label = frenchMonth(month);
  return /^[aeiouéâ]/i.test(label) ? `d’${label}` : `de ${label}`;
}

/** "décembre 2026": the month an instant falls in, in a time zone. */
export function frenchMonthAt(date: Date, timeZone: string): string {
  return dateFormat('month', { month: 'long', year: 'numeric', timeZone }).format(date);
}

/** "1 234", "1,5": a number with French grouping (narrow no-break space) and decimal comma. */
export function formatNumber(value: number, maximumFractionDigits?: number): string {
  return value.toLocaleString('fr-FR', maximumFractionDigits === undefined ? undefined : { maximumFractionDigits });
}

/** "94 %": a share between 0 and 1, rounded to the unit; "—" when there is none. */
export function formatShare(share: number | null): string {
  return share === null ? '—' : `${Math.round(share * 100)} %`;
}

/** "30 h" below two days, "4,2 j" beyond; "—" when there is none. */
export function formatHours(hours: number | null): string {
  if (hours === null) return '—';
  if (hours < 48) return `${formatNumber(hours, 1)} h`;
  return `${formatNumber(hours / 24, 1)} j`;
}

/** "1,5 Mo", "2 ko": a file size. */
export function formatFileSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${formatNumber(bytes / 1024 / 1024, 1)} Mo`;
  return `${formatNumber(Math.max(1, Math.round(bytes / 1024)))} ko`;
}

/** A topic delay in French: "8 jours", "5 jours ouvrés", "1 heure"; any other ISO duration as written. */
export function frenchDelay(iso: string, businessDays: boolean): string {
  const days = /^P(\d+)D$/.exec(iso)?.[1];
  if (days) return `${days} jour${days === '1' ? '' : 's'}${businessDays ? (days === '1' ? ' ouvré' : ' ouvrés') : ''}`;
  const hours = /^PT(\d+)H$/.exec(iso)?.[1];
  if (hours) return `${hours} heure${hours === '1' ? '' : 's'}`;
  return iso;
}

/** "24 mois", "1 an", "5 ans": a retention duration in months. */
export function frenchMonths(months: number): string {
  if (months % 12 === 0) return months === 12 ? '1 an' : `${months / 12} ans`;
  return `${months} mois`;
}

/** An amount in cents as French readers write euros: « 1 234,50 € ». */
export function frenchEuros(cents: number): string {
  return (cents / 100).toLocaleString('fr-FR', { style: 'currency', currency: 'EUR' });
}
