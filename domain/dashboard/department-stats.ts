import type { EntityManager } from '@mikro-orm/postgresql';
import { stringify } from 'csv-stringify/sync';
import { sql } from '@/domain/auth/db';
import { OPEN_STATES } from '@/domain/inbox/filters';
import type { DashboardRange } from './range';

/** Quality of service of one department over a period. */
export interface DepartmentStats {
  slug: string;
  name: string;
  received: number;
  answered: number;
  open: number;
  overdueNow: number;
  medianHours: number | null;
  p90Hours: number | null;
  onTimeShare: number | null;
}

/** Requests received and answered per week. */
export interface WeekPoint {
  week: string;
  received: number;
  answered: number;
}

/** Figures per department; `departmentIds` limits them (heads see their own departments, administrators all). */
export async function departmentStats(em: EntityManager, tenantId: string, range: DashboardRange, departmentIds?: string[], now = new Date()): Promise<DepartmentStats[]> {
  const open = `{${OPEN_STATES.join(',')}}`;
  // Raw SQL: dashboard aggregates (percentiles, filtered counts) computed in one pass by PostgreSQL.
  const rows = await sql<{
    slug: string; name: string; received: number; answered: number; open: number; overdue: number; median_s: number | null; p90_s: number | null; on_time: number;
  }>(
    em,
    `select d.slug, d.name,
            count(r.id) filter (where r.received_at >= ? and r.received_at < ?)::int as received,
            count(r.id) filter (where r.answered_at >= ? and r.answered_at < ?)::int as answered,
            count(r.id) filter (where r.state = any(?::text[]))::int as open,
            count(r.id) filter (where r.state = any(?::text[]) and r.due_at < ?)::int as overdue,
            percentile_cont(0.5) within group (order by extract(epoch from r.answered_at - r.received_at))
              filter (where r.answered_at >= ? and r.answered_at < ?) as median_s,
            percentile_cont(0.9) within group (order by extract(epoch from r.answered_at - r.received_at))
              filter (where r.answered_at >= ? and r.answered_at < ?) as p90_s,
            count(r.id) filter (where r.answered_at >= ? and r.answered_at < ? and r.answered_at <= r.due_at)::int as on_time
       from department d left join request r on r.department_id = d.id and r.tenant_id = d.tenant_id
      where d.tenant_id = ? ${departmentIds ? 'and d.id = any(?::uuid[])' : ''}
      group by d.id, d.slug, d.name order by d.name`,
    [
      range.from, range.to, range.from, range.to, open, open, now, range.from, range.to, range.from, range.to, range.from, range.to, tenantId,
      ...(departmentIds ? [`{${departmentIds.join(',')}}`] : []),
    ],
  );
  const hours = (s: number | null) => (s === null ? null : Math.round((Number(s) / 3600) * 10) / 10);
  return rows.map((r) => ({
    slug: r.slug,
    name: r.name,
    received: r.received,
    answered: r.answered,
    open: r.open,
    overdueNow: r.overdue,
    medianHours: hours(r.median_s),
    p90Hours: hours(r.p90_s),
    onTimeShare: r.answered ? Math.round((r.on_time / r.answered) * 1000) / 1000 : null,
  }));
}

/** Received and answered requests per ISO week (Monday) over the period. */
export async function weeklyTrend(em: EntityManager, tenantId: string, range: DashboardRange, departmentIds?: string[]): Promise<WeekPoint[]> {
  const scope = departmentIds ? 'and department_id = any(?::uuid[])' : '';
  const ids = departmentIds ? [`{${departmentIds.join(',')}}`] : [];
  // Raw SQL: dashboard aggregate over generate_series weeks, computed in one pass by PostgreSQL.
  const rows = await sql<{ week: Date; received: number; answered: number }>(
    em,
    `with weeks as (select generate_series(date_trunc('week', ?::timestamptz at time zone 'UTC'), ?::timestamptz at time zone 'UTC', interval '1 week') as week),
          rec as (select date_trunc('week', received_at at time zone 'UTC') as week, count(*)::int as n from request
                   where tenant_id = ? and received_at >= ? and received_at < ? ${scope} group by 1),
          ans as (select date_trunc('week', answered_at at time zone 'UTC') as week, count(*)::int as n from request
                   where tenant_id = ? and answered_at >= ? and answered_at < ? ${scope} group by 1)
     select w.week, coalesce(rec.n, 0) as received, coalesce(ans.n, 0) as answered
       from weeks w left join rec on rec.week = w.week left join ans on ans.week = w.week order by w.week`,
    [range.from, range.to, tenantId, range.from, range.to, ...ids, tenantId, range.from, range.to, ...ids],
  );
  return rows.map((r) => ({ week: new Date(r.week).toISOString().slice(0, 10), received: r.received, answered: r.answered }));
}

/** The figures as a CSV file (semicolons and decimal commas, as French spreadsheets expect). */
export function statsToCsv(stats: DepartmentStats[], range: { fromDay: string; toDay: string }): string {
  const number = (n: number | null) => (n === null ? '' : String(n).replace('.', ','));
  return stringify(
    stats.map((s) => [range.fromDay, range.toDay, s.name, s.received, s.answered, s.open, s.overdueNow, number(s.medianHours), number(s.p90Hours), s.onTimeShare === null ? '' : number(Math.round(s.onTimeShare * 1000) / 10)]),
    {
      delimiter: ';',
      bom: true,
      header: true,
      columns: ['du', 'au', 'service', 'reçues', 'répondues', 'en cours', 'en retard', 'délai médian (h)', 'délai 90e centile (h)', 'répondues dans le délai (%)'],
    },
  );
}
