import {
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { reportTenants, type ReportTenant } from '@/domain/dashboard/reports';
import { retentionScheduleId, type RetentionInput } from '@/workflows/retention/definitions';
import type { retentionWorkflow } from '@/workflows/retention/workflow';
import { ensureSchedule, single, startsWanted, type ScheduleOutcome } from './schedules';
import { TENANT_ATTRIBUTE } from '@/workflows/search-attributes';

/** When the retention job runs: every night at 03:30, in the tenant's time zone, when the console is quiet. */
export const RETENTION_CALENDAR = { hour: 3, minute: 30, comment: 'GDPR retention: anonymisation and deletions that are due' } as const;

/** A night missed (Temporal down) is caught up within a day; the next night would do the same work anyway. */
export const RETENTION_CATCHUP = '1 day';

function scheduleOptions(tenant: ReportTenant, taskQueue: string): ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof retentionWorkflow>> {
  const input: RetentionInput = { tenantId: tenant.id, tenantSlug: tenant.slug };
  return {
    scheduleId: retentionScheduleId(tenant.slug),
    spec: { calendars: [RETENTION_CALENDAR], timezone: tenant.timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: 'retentionWorkflow',
      workflowId: retentionScheduleId(tenant.slug),
      taskQueue,
      args: [input],
      typedSearchAttributes: [{ key: TENANT_ATTRIBUTE, value: tenant.slug }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: RETENTION_CATCHUP },
  };
}

function isCurrent(description: ScheduleDescription, wanted: ReturnType<typeof scheduleOptions>): boolean {
  const [calendar, ...others] = description.spec.calendars ?? [];
  return (
    startsWanted(description, wanted) &&
    Boolean(calendar) &&
    others.length === 0 &&
    single(calendar.hour, RETENTION_CALENDAR.hour) &&
    single(calendar.minute, RETENTION_CALENDAR.minute)
  );
}

/** Creates the tenant's daily retention schedule (`retention:<slug>`), or brings an existing one up to date unless `update` is false. */
export function ensureRetentionSchedule(client: Client, tenant: ReportTenant, taskQueue: string, options: { update?: boolean } = {}): Promise<ScheduleOutcome> {
  const wanted = scheduleOptions(tenant, taskQueue);
  return ensureSchedule(client, wanted, (description) => isCurrent(description, wanted), options);
}

/** Schedules ensured at once: a worker's start-up stays short on a deployment with hundreds of tenants. */
const ENSURE_CONCURRENCY = 8;

/** Ensures the retention schedule of every tenant; returns what was done for each slug. */
export async function ensureRetentionSchedules(client: Client, em: EntityManager, taskQueue: string, options: { update?: boolean } = {}): Promise<Record<string, ScheduleOutcome>> {
  const outcomes: Record<string, ScheduleOutcome> = {};
  const tenants = await reportTenants(em);
  for (let i = 0; i < tenants.length; i += ENSURE_CONCURRENCY) {
    const chunk = tenants.slice(i, i + ENSURE_CONCURRENCY);
    const done = await Promise.all(chunk.map((tenant) => ensureRetentionSchedule(client, tenant, taskQueue, options)));
    chunk.forEach((tenant, j) => (outcomes[tenant.slug] = done[j]));
  }
  return outcomes;
}
