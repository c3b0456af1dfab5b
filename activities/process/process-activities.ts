import { ApplicationFailure } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createWorkingCalendar } from '@/domain/deadlines/calendar';
import { computeDueAt, InvalidDelayError } from '@/domain/deadlines/delay';
import { query } from '@/domain/sql';

/** Dependencies of the process activities. */
export interface ProcessActivityDeps {
  orm: MikroORM;
}

/** A step's delay counted from the instant the request entered the step. */
export interface StepDeadlineInput {
  tenantId: string;
  from: string;
  delay: string;
  businessDays: boolean;
}

/** The activities of the process workflow, bound to their dependencies. */
export function createProcessActivities(deps: ProcessActivityDeps) {
  /**
   * The deadline of a process step, in the tenant's time zone and (for business days) its working calendar: the
   * calendar's holiday rules stay out of workflow code, and the result is kept in history.
   */
  async function stepDeadline(input: StepDeadlineInput): Promise<{ from: string; dueAt: string }> {
    const [tenant] = await query<{ settings: { timeZone?: string; closureDays?: string[] } }>(deps.orm.em.fork(), 'select settings from tenant where id = ?', [input.tenantId]);
    if (!tenant) throw ApplicationFailure.nonRetryable(`Tenant ${input.tenantId} does not exist`, 'UnknownRequest');
    try {
      const calendar = createWorkingCalendar({ timeZone: tenant.settings.timeZone, closureDays: tenant.settings.closureDays ?? [] });
      // `from` comes back with the deadline: the workflow plans its reminders from what history keeps.
      return { from: input.from, dueAt: computeDueAt({ receivedAt: input.from, delay: input.delay, businessDays: input.businessDays, calendar }).toISOString() };
    } catch (error) {
      if (error instanceof InvalidDelayError) throw ApplicationFailure.nonRetryable(error.message, 'InvalidInput');
      throw error;
    }
  }

  return { stepDeadline };
}

/** The process activities as the workflow sees them (types only). */
export type ProcessActivities = ReturnType<typeof createProcessActivities>;
