// What an escalation reminder says depends on where the request stands against the deadline promised to the citizen.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Variables of the `reminder` message beside `percent`: whether the deadline has passed, and by how long. */
export interface ReminderVariables {
  /** From 100 % of the delay on: the answer date given to the citizen has passed. */
  overdue: boolean;
  /** "4 jours", "6 heures"; empty before the deadline or within its first hour. */
  lateBy: string;
}

/** The reminder's wording for a step of the cascade, sent at `now` for a request due at `dueAt`. */
export function reminderVariables(percent: number, dueAt: Date, now: Date): ReminderVariables {
  const late = now.getTime() - dueAt.getTime();
  const overdue = percent >= 100;
  if (!overdue || late < HOUR_MS) return { overdue, lateBy: '' };
  const days = Math.floor(late / DAY_MS);
  if (days >= 1) return { overdue, lateBy: `${days} jour${days > 1 ? 's' : ''}` };
  const hours = Math.floor(late / HOUR_MS);
  return { overdue, lateBy: `${hours} heure${hours > 1 ? 's' : ''}` };
}
