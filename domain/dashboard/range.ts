// The dashboard's period, as the query string gives it.
import { InputError, type FieldError } from '@/domain/validation';

/** A half-open period [from, to) of whole days. */
export interface DashboardRange {
  from: Date;
  to: Date;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Parses `du` / `au` (YYYY-MM-DD, `au` included); the last 30 days by default. */
export function parseRange(params: URLSearchParams | Record<string, string | string[] | undefined>, now = new Date()): DashboardRange & { fromDay: string; toDay: string } {
  const get = (name: string) => {
    const value = params instanceof URLSearchParams ? params.get(name) : params[name];
    return (Array.isArray(value) ? value[0] : value) || undefined;
  };
  const errors: FieldError[] = [];
  const today = now.toISOString().slice(0, 10);
  const defaultFrom = new Date(now.getTime() - 29 * 86_400_000).toISOString().slice(0, 10);
  const fromDay = get('du') ?? defaultFrom;
  const toDay = get('au') ?? today;
  if (!DAY.test(fromDay) || Number.isNaN(Date.parse(fromDay))) errors.push({ path: '/du', message: 'Date de début invalide (AAAA-MM-JJ).' });
  if (!DAY.test(toDay) || Number.isNaN(Date.parse(toDay))) errors.push({ path: '/au', message: 'Date de fin invalide (AAAA-MM-JJ).' });
  if (!errors.length && fromDay > toDay) errors.push({ path: '/au', message: 'La date de fin doit suivre la date de début.' });
  if (!errors.length && Date.parse(toDay) - Date.parse(fromDay) > 3 * 366 * 86_400_000) errors.push({ path: '/du', message: 'La période ne doit pas dépasser trois ans.' });
  if (errors.length) throw new InputError(errors);
  return { fromDay, toDay, from: new Date(`${fromDay}T00:00:00Z`), to: new Date(Date.parse(`${toDay}T00:00:00Z`) + 86_400_000) };
}
