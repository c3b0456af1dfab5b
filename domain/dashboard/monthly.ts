import type { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { sql } from '@/domain/auth/db';
import { InputError } from '@/domain/validation';
import { departmentStats } from './department-stats';
import type { DashboardRange } from './range';
import { frenchMonth } from '@/domain/format/french';
import { isReportMonth, monthAt, previousMonth } from './report-month';

/** Quality of service of one department over a closed month. */
export interface MonthlyDepartmentFigures {
  slug: string;
  name: string;
  received: number;
  answered: number;
  medianHours: number | null;
  p90Hours: number | null;
  onTimeShare: number | null;
  /** Requests without answer whose due date had passed when the month ended. */
  overdue: number;
}

/** The month as a half-open period of instants, from midnight on the 1st in the tenant's time zone. */
export function monthRange(month: string, timeZone: string): DashboardRange {
  const start = DateTime.fromISO(`${month}-01T00:00:00`, { zone: timeZone });
  if (!isReportMonth(month) || !start.isValid) throw new Error(`Invalid month ${month} or time zone ${timeZone}`);
  return { from: start.toJSDate(), to: start.plus({ months: 1 }).toJSDate() };
}

/**
 * Figures per department for a month, with the dashboard's query; "overdue" is taken at the end of the month
 * from the answer and closure dates, so a report produced later still describes that month.
 */
export async function monthlyFigures(em: EntityManager, tenantId: string, month: string, timeZone: string): Promise<MonthlyDepartmentFigures[]> {
  const range = monthRange(month, timeZone);
  const stats = await departmentStats(em, tenantId, range, undefined, range.to);
  // Raw SQL: dashboard aggregate (overdue count per department), computed in one pass by PostgreSQL.
  const late = await sql<{ slug: string; overdue: number }>(
    em,
    `select d.slug, count(r.id)::int as overdue
       from department d join request r on r.department_id = d.id and r.tenant_id = d.tenant_id
      where d.tenant_id = ? and r.received_at < ? and r.due_at < ?
        and (r.answered_at is null or r.answered_at >= ?) and (r.closed_at is null or r.closed_at >= ?)
      group by d.slug`,
    [tenantId, range.to, range.to, range.to, range.to],
  );
  const overdue = new Map(late.map((r) => [r.slug, r.overdue]));
  return stats.map((s) => ({
    slug: s.slug,
    name: s.name,
    received: s.received,
    answered: s.answered,
    medianHours: s.medianHours,
    p90Hours: s.p90Hours,
    onTimeShare: s.onTimeShare,
    overdue: overdue.get(s.slug) ?? 0,
  }));
}

/** The last month that has ended in the tenant's time zone. */
export function lastClosedMonth(timeZone: string, now = new Date()): string {
  return previousMonth(monthAt(now, timeZone));
}

/** Validates the month of a report: `YYYY-MM`, already ended in the tenant's time zone; InputError (400) otherwise. */
export function parseReportMonth(value: unknown, timeZone: string, now = new Date(), path = '/month'): string {
  if (!isReportMonth(value)) throw new InputError([{ path, message: 'Indiquez un mois au format AAAA-MM, par exemple 2026-10.' }]);
  const latest = lastClosedMonth(timeZone, now);
  if (value > latest) throw new InputError([{ path, message: `Choisissez un mois terminé : ${frenchMonth(latest)} au plus tard.` }]);
  if (value < '2000-01') throw new InputError([{ path, message: 'Choisissez un mois à partir de janvier 2000.' }]);
  return value;
}
