// The monthly quality report's figures as its table prints them, with a total row.
import type { MonthlyDepartmentFigures } from '@/domain/dashboard/monthly';
import { formatHours, formatNumber, formatShare } from '@/domain/format/french';

/** Figures of one department for a month (durations in hours, share in 0..1), under the department's name. */
export type DepartmentFigures = Omit<MonthlyDepartmentFigures, 'slug' | 'name'> & { department: string };

/** One row of the report table, numbers written the French way. */
export function formatFigures(f: DepartmentFigures) {
  return {
    department: f.department,
    received: formatNumber(f.received),
    answered: formatNumber(f.answered),
    median: formatHours(f.medianHours),
    p90: formatHours(f.p90Hours),
    onTime: formatShare(f.onTimeShare),
    overdue: formatNumber(f.overdue),
  };
}

/**
 * The total row of the report table. Medians and percentiles do not add up across departments: the total row shows
 * their mean weighted by answers, an approximation.
 */
export function totalFigures(all: DepartmentFigures[]): DepartmentFigures {
  const answered = all.reduce((n, f) => n + f.answered, 0);
  const weighted = (pick: (f: DepartmentFigures) => number | null) => {
    const parts = all.filter((f) => pick(f) !== null && f.answered > 0);
    const weight = parts.reduce((n, f) => n + f.answered, 0);
    return weight ? parts.reduce((n, f) => n + pick(f)! * f.answered, 0) / weight : null;
  };
  return {
    department: 'Total',
    received: all.reduce((n, f) => n + f.received, 0),
    answered,
    medianHours: weighted((f) => f.medianHours),
    p90Hours: weighted((f) => f.p90Hours),
    onTimeShare: weighted((f) => f.onTimeShare),
    overdue: all.reduce((n, f) => n + f.overdue, 0),
  };
}
