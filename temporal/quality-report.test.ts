import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportTenant, type ReportTenant } from '@/domain/dashboard/reports';
import { monthAt, previousMonth } from '@/domain/dashboard/report-month';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { REQUEST_TASK_QUEUE } from '@/workflows/request/definitions';
import { qualityReportScheduleId, qualityReportWorkflowId, type MonthlyQualityReportResult, type QualityReportResult } from '@/workflows/quality-report/definitions';
import { ensureQualityReportSchedule, ensureQualityReportSchedules } from './quality-report';
import { createTestTenant, eventually, testClient } from './testing/fixtures';
import { QUALITY_REPORT_HISTORIES_DIR, keepHistory } from './testing/histories';

let client: Client;
const created: string[] = [];

async function tenantIn(timeZone: string): Promise<ReportTenant> {
  const { slug } = await createTestTenant();
  const orm = await initORM(env().DATABASE_URL!);
  const [{ id }] = await query<{ id: string }>(orm.em.fork(), `update tenant set settings = jsonb_set(settings, '{timeZone}', to_jsonb(?::text)) where slug = ? returning id`, [
    timeZone, slug,
  ]);
  created.push(slug);
  return (await reportTenant(orm.em.fork(), id))!;
}

beforeAll(async () => {
  client = await testClient();
});

afterAll(async () => {
  for (const slug of created) await client.schedule.getHandle(qualityReportScheduleId(slug)).delete().catch(() => undefined);
  await closeAllORMs();
});

describe('monthly quality report schedules', () => {
  it('creates one schedule per tenant on the 1st at 06:00 in its time zone, and re-ensuring changes nothing', async () => {
    const tenant = await tenantIn('Pacific/Noumea');
    expect(await ensureQualityReportSchedule(client, tenant, REQUEST_TASK_QUEUE)).toBe('created');
    expect(await ensureQualityReportSchedule(client, tenant, REQUEST_TASK_QUEUE)).toBe('unchanged');
    const orm = await initORM(env().DATABASE_URL!);
    expect((await ensureQualityReportSchedules(client, orm.em.fork(), REQUEST_TASK_QUEUE, { update: false }))[tenant.slug]).toBe('unchanged');

    const description = await client.schedule.getHandle(qualityReportScheduleId(tenant.slug)).describe();
    expect(description.spec.timezone).toBe('Pacific/Noumea');
    expect(description.spec.calendars).toHaveLength(1);
    expect(description.spec.calendars![0]).toMatchObject({ dayOfMonth: [{ start: 1, end: 1 }], hour: [{ start: 6, end: 6 }], minute: [{ start: 0, end: 0 }] });
    expect(description.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 7 * 86_400_000 });
    expect(description.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'monthlyQualityReportWorkflow',
      taskQueue: REQUEST_TASK_QUEUE,
      args: [{ tenantId: tenant.id, tenantSlug: tenant.slug, timeZone: 'Pacific/Noumea' }],
    });
    // 06:00 in Nouméa (UTC+11) is 19:00 UTC the day before.
    const next = description.info.nextActionTimes[0];
    expect(next.toISOString()).toMatch(/T19:00:00\.000Z$/);
    expect(new Intl.DateTimeFormat('fr-FR', { timeZone: 'Pacific/Noumea', day: 'numeric' }).format(next)).toBe('1');

    const ids = await eventually(async () => {
      const found: string[] = [];
      for await (const schedule of client.schedule.list()) if (schedule.scheduleId === qualityReportScheduleId(tenant.slug)) found.push(schedule.scheduleId);
      expect(found.length).toBeGreaterThan(0);
      return found;
    });
    expect(ids).toHaveLength(1);
  });

  it('brings a schedule up to date after a time zone change, unless asked only to create missing ones', async () => {
    const tenant = await tenantIn('Pacific/Noumea');
    await ensureQualityReportSchedule(client, tenant, REQUEST_TASK_QUEUE);
    const moved = { ...tenant, timeZone: 'America/Cayenne' };
    expect(await ensureQualityReportSchedule(client, moved, REQUEST_TASK_QUEUE, { update: false })).toBe('outdated');
    const handle = client.schedule.getHandle(qualityReportScheduleId(tenant.slug));
    expect((await handle.describe()).spec.timezone).toBe('Pacific/Noumea');
    expect(await ensureQualityReportSchedule(client, moved, REQUEST_TASK_QUEUE)).toBe('updated');
    const description = await handle.describe();
    expect(description.spec.timezone).toBe('America/Cayenne');
    expect(description.action).toMatchObject({ args: [{ timeZone: 'America/Cayenne' }] });
    expect(await ensureQualityReportSchedule(client, moved, REQUEST_TASK_QUEUE)).toBe('unchanged');
  });

  it('reports on the month before the scheduled time, under the report’s own id, and only once', async () => {
    const tenant = await tenantIn('Pacific/Noumea');
    await ensureQualityReportSchedule(client, tenant, REQUEST_TASK_QUEUE);
    const handle = client.schedule.getHandle(qualityReportScheduleId(tenant.slug));
    const month = previousMonth(monthAt(new Date(), 'Pacific/Noumea'));

    await handle.trigger();
    const report: QualityReportResult = await eventually(() => client.workflow.getHandle(qualityReportWorkflowId(tenant.slug, month)).result(), 60_000);
    expect(report).toMatchObject({ month, created: true, notified: 1 });

    // A second start for the same month (here a manual trigger) finds the report's workflow and stops there. It waits
    // for the first scheduled run to close: the schedule names its runs by the second they start in, and a start in the
    // same second as a run still closing meets that run's id and starts nothing.
    const [first] = await eventually(async () => {
      const actions = (await handle.describe()).info.recentActions;
      expect(actions).toHaveLength(1);
      return actions;
    }, 60_000);
    await client.workflow.getHandle(first.action.workflow.workflowId, first.action.workflow.firstExecutionRunId).result();
    await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    // As long as the other waits here: describing a schedule queries its scheduler workflow, which a loaded dev server
    // can leave unanswered past a 10 s call deadline.
    const runs = await eventually(async () => {
      const actions = (await handle.describe()).info.recentActions;
      expect(actions).toHaveLength(2);
      return actions;
    }, 60_000);
    // Each run by its own run id: two actions in the same second share a workflow id, and the id alone reads the later run.
    const runHandle = (a: (typeof runs)[number]) => client.workflow.getHandle(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId);
    const results: MonthlyQualityReportResult[] = await Promise.all(runs.map((a) => runHandle(a).result()));
    expect(results).toEqual([
      { ...report, alreadyStarted: false },
      { month, alreadyStarted: true },
    ]);
    await keepHistory('monthly-report', runHandle(runs[0]), QUALITY_REPORT_HISTORIES_DIR);
    await keepHistory('monthly-report-already-started', runHandle(runs[1]), QUALITY_REPORT_HISTORIES_DIR);

    // A run that catches up late still reports on the month before its scheduled time, not before the day it ran.
    await handle.backfill([{ start: new Date('2026-05-31T18:59:00Z'), end: new Date('2026-05-31T19:01:00Z'), overlap: ScheduleOverlapPolicy.ALLOW_ALL }]);
    const may: QualityReportResult = await eventually(() => client.workflow.getHandle(qualityReportWorkflowId(tenant.slug, '2026-05')).result(), 60_000);
    expect(may).toMatchObject({ month: '2026-05', created: true });
    const orm = await initORM(env().DATABASE_URL!);
    const [{ n }] = await query<{ n: number }>(orm.em.fork(), "select count(*)::int as n from document where tenant_id = ? and kind = 'quality_report'", [tenant.id]);
    expect(n).toBe(2);
    // Three waits of up to a minute each on a loaded single-shard dev server: the test's own budget covers them all.
  }, 200_000);

  it('was created for the demo tenant when the worker started', async () => {
    const description = await client.schedule.getHandle(qualityReportScheduleId('demo')).describe();
    expect(description.spec.timezone).toBe('Europe/Paris');
    expect(description.action).toMatchObject({ workflowType: 'monthlyQualityReportWorkflow', taskQueue: REQUEST_TASK_QUEUE });
    await expect(client.schedule.getHandle(qualityReportScheduleId('no-such-tenant')).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});
