import {
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { reportTenants, type ReportTenant } from '@/domain/dashboard/reports';
import {
  qualityReportScheduleId,
  qualityReportWorkflowId,
  type MonthlyQualityReportInput,
  type QualityReportInput,
} from '@/workflows/quality-report/definitions';
import type { monthlyQualityReportWorkflow, qualityReportWorkflow } from '@/workflows/quality-report/workflow';
import { ensureSchedule, single, startsWanted, type ScheduleOutcome } from './schedules';
import { TENANT_ATTRIBUTE } from '@/workflows/search-attributes';

/** When the report of the past month is produced: the 1st at 06:00, in the tenant's time zone. */
export const QUALITY_REPORT_CALENDAR = { dayOfMonth: 1, hour: 6, minute: 0, comment: 'quality-of-service report of the previous month' } as const;

/** A Temporal server down on the 1st still produces the report when it is back within this window. */
export const QUALITY_REPORT_CATCHUP = '7 days';

/** What ensuring a schedule did; 'outdated' when it differs and `update` was off. */
function scheduleOptions(tenant: ReportTenant, taskQueue: string): ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof monthlyQualityReportWorkflow>> {
  const input: MonthlyQualityReportInput = { tenantId: tenant.id, tenantSlug: tenant.slug, timeZone: tenant.timeZone };
  return {
    scheduleId: qualityReportScheduleId(tenant.slug),
    spec: { calendars: [QUALITY_REPORT_CALENDAR], timezone: tenant.timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: 'monthlyQualityReportWorkflow',
      // Temporal appends the scheduled time; the report itself runs under qualityReportWorkflowId.
      workflowId: qualityReportScheduleId(tenant.slug),
      taskQueue,
      args: [input],
      typedSearchAttributes: [{ key: TENANT_ATTRIBUTE, value: tenant.slug }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: QUALITY_REPORT_CATCHUP },
  };
}

function isCurrent(description: ScheduleDescription, wanted: ReturnType<typeof scheduleOptions>): boolean {
  const calendars = description.spec.calendars ?? [];
  return (
    startsWanted(description, wanted) &&
    calendars.length === 1 &&
    single(calendars[0].dayOfMonth, QUALITY_REPORT_CALENDAR.dayOfMonth) &&
    single(calendars[0].hour, QUALITY_REPORT_CALENDAR.hour) &&
    single(calendars[0].minute, QUALITY_REPORT_CALENDAR.minute)
  );
}

/** Creates the tenant's monthly report schedule, or brings an existing one up to date (time zone, task queue) unless `update` is false. */
export function ensureQualityReportSchedule(client: Client, tenant: ReportTenant, taskQueue: string, options: { update?: boolean } = {}): Promise<ScheduleOutcome> {
  const wanted = scheduleOptions(tenant, taskQueue);
  return ensureSchedule(client, wanted, (description) => isCurrent(description, wanted), options);
}

/** Ensures the schedule of every tenant; returns what was done for each slug. */
export async function ensureQualityReportSchedules(client: Client, em: EntityManager, taskQueue: string, options: { update?: boolean } = {}): Promise<Record<string, ScheduleOutcome>> {
  const outcomes: Record<string, ScheduleOutcome> = {};
  for (const tenant of await reportTenants(em)) outcomes[tenant.slug] = await ensureQualityReportSchedule(client, tenant, taskQueue, options);
  return outcomes;
}

/**
 * Starts the report of a tenant's month now, under the same id the schedule uses: a report already produced or
 * being produced is never made twice ('already_started'); a failed run may be started again.
 */
export async function startQualityReport(client: Client, input: QualityReportInput, taskQueue: string): Promise<'started' | 'already_started'> {
  try {
    await client.workflow.start<typeof qualityReportWorkflow>('qualityReportWorkflow', {
      workflowId: qualityReportWorkflowId(input.tenantSlug, input.month),
      taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      typedSearchAttributes: [{ key: TENANT_ATTRIBUTE, value: input.tenantSlug }],
    });
    return 'started';
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'already_started';
    throw error;
  }
}
