import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { departmentStats, weeklyTrend } from '@/domain/dashboard/department-stats';
import { monthlyFigures } from '@/domain/dashboard/monthly';
import { monthAt } from '@/domain/dashboard/report-month';
import { reportTenant } from '@/domain/dashboard/reports';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { personalDataOf, seedRequest, tenantIdOf, type SeededRequest } from '@/temporal/testing/privacy';
import { query } from '@/domain/sql';
import { ensureRetentionSchedule } from '@/temporal/retention';
import { newId, runRelais, writeTenantFile } from '@/temporal/testing/cli';
import { createTestTenant, eventually, testClient } from '@/temporal/testing/fixtures';
import { RETENTION_HISTORIES_DIR, keepHistory } from '@/temporal/testing/histories';
import { qualityReportScheduleId } from '@/workflows/quality-report/definitions';
import { REQUEST_TASK_QUEUE } from '@/workflows/request/definitions';
import { retentionScheduleId, retentionWorkflowId, type RetentionResult } from './definitions';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let client: Client;
let slug: string;
let tenantId: string;
let otherTenantId: string;
let seeded: Record<'closed30' | 'rejected26' | 'closed18' | 'closed6' | 'open30', SeededRequest>;
const schedules: string[] = [];

/** Everything the dashboard shows for the seeded past, through its own service, at a fixed "now". */
async function dashboard() {
  const now = new Date('2026-12-01T00:00:00Z');
  const range = { from: new Date(Date.now() - 40 * 31 * 86_400_000), to: new Date(Date.now() - 86_400_000) };
  // The month in which the request closed 30 months ago was answered, in the tenant's time zone.
  const [{ answered_at: answeredAt }] = await query<{ answered_at: string }>(await em(), 'select answered_at from request where id = ?', [seeded.closed30.id]);
  const month = monthAt(new Date(answeredAt), 'Europe/Paris');
  return {
    stats: await departmentStats(await em(), tenantId, range, undefined, now),
    trend: await weeklyTrend(await em(), tenantId, range),
    month: await monthlyFigures(await em(), tenantId, month, 'Europe/Paris'),
  };
}

async function run(label: string, batchSize: number): Promise<RetentionResult> {
  const handle = await client.workflow.start('retentionWorkflow', {
    taskQueue: REQUEST_TASK_QUEUE,
    workflowId: retentionWorkflowId(slug, `${label}-${newId().slice(0, 8)}`),
    args: [{ tenantId, tenantSlug: slug, batchSize }],
  });
  const result: RetentionResult = await handle.result();
  await keepHistory(`retention-${label}`, handle, RETENTION_HISTORIES_DIR);
  return result;
}

/** A failed login attempt of an agent made `age` ago (a PostgreSQL interval), from an IP address. */
async function loginAttempt(tenant: string, age: string): Promise<void> {
  await query(await em(), `insert into login_attempt (id, tenant_id, email, succeeded, ip, at) values (?, ?, 'agent@mairie.test', false, '203.0.113.7', now() - ?::interval)`, [
    newId(), tenant, age,
  ]);
}

/** A tenant's login attempts left: all of them, and those younger than 6 months. */
async function loginAttemptsLeft(tenant: string): Promise<{ total: number; recent: number }> {
  const [row] = await query<{ total: number; recent: number }>(
    await em(),
    `select count(*)::int as total, (count(*) filter (where at > now() - interval '6 months'))::int as recent from login_attempt where tenant_id = ?`,
    [tenant],
  );
  return row;
}

/** An audit entry written `years` ago (inserting is always allowed). */
async function oldAudit(years: number): Promise<void> {
  await query(await em(), `insert into audit_log (id, tenant_id, action, target, outcome, data, at) values (?, ?, 'case.view', 'old', 'ok', '{}', now() - make_interval(years => ?, days => 2))`, [
    newId(), tenantId, years,
  ]);
}

beforeAll(async () => {
  client = await testClient();
  ({ slug } = await createTestTenant());
  tenantId = await tenantIdOf(await em(), slug);
  seeded = {
    closed30: await seedRequest(await em(), slug, tenantId, { state: 'closed', monthsAgo: 30, processingDays: 2 }),
    rejected26: await seedRequest(await em(), slug, tenantId, { state: 'rejected', monthsAgo: 26, processingDays: 5 }),
    closed18: await seedRequest(await em(), slug, tenantId, { state: 'closed', monthsAgo: 18, processingDays: 1 }),
    closed6: await seedRequest(await em(), slug, tenantId, { state: 'closed', monthsAgo: 6 }),
    open30: await seedRequest(await em(), slug, tenantId, { state: 'in_progress', monthsAgo: 30 }),
  };
  // A log with no request (an administrators' e-mail) past its age, and audit entries of six and three years.
  await query(
    await em(),
    `insert into notification (id, tenant_id, idempotency_key, channel, recipient, template, status, created_at) values (?, ?, ?, 'email', 'admin@mairie.test', 'quality_report', 'sent', now() - interval '13 months')`,
    [newId(), tenantId, `seed:${newId()}`],
  );
  await oldAudit(6);
  await oldAudit(6);
  await oldAudit(3);
  // Agents' login attempts: three just past their 6 months, one just short of them, and another tenant's old one.
  for (const age of ['6 months 1 day', '6 months 2 days', '9 months', '6 months -1 day']) await loginAttempt(tenantId, age);
  otherTenantId = await tenantIdOf(await em(), (await createTestTenant()).slug);
  await loginAttempt(otherTenantId, '9 months');
});

afterAll(async () => {
  for (const id of schedules) await client.schedule.getHandle(id).delete().catch(() => undefined);
  await closeAllORMs();
});

describe('retention workflow', () => {
  it('does exactly what is due, leaves the rest and the dashboard’s figures as they were, and a second run does nothing', async () => {
    const before = await dashboard();
    expect(before.stats.reduce((n, s) => n + s.received, 0)).toBe(5);
    // The past month holds the request closed 30 months ago: its figures are not empty.
    expect(before.month.reduce((n, m) => n + m.answered, 0)).toBeGreaterThan(0);
    expect(before.month.some((m) => m.medianHours !== null)).toBe(true);

    const first = await run('first', 2);
    expect(first.counts).toEqual({
      requestsAnonymised: 2,
      attachmentsDeleted: 3,
      documentsDeleted: 3,
      notificationsDeleted: 4,
      smsDeleted: 3,
      smsInboundDeleted: 3,
      emailInboundDeleted: 3,
      loginAttemptsDeleted: 3,
      auditPurged: 2,
      subscriptionsDeleted: 0,
      campaignRecipientsCleared: 0,
    });

    for (const r of [seeded.closed30, seeded.rejected26]) {
      const left = await personalDataOf(await em(), r);
      expect(left.request.anonymised_at, r.reference).not.toBeNull();
      expect(left).toMatchObject({ attachments: 0, documents: 0, traces: 0 });
    }
    // Past the documents' and logs' delay but not the requests': files and logs gone, the case itself kept.
    const eighteen = await personalDataOf(await em(), seeded.closed18);
    expect(eighteen).toMatchObject({ attachments: 0, documents: 0 });
    expect(eighteen.request.anonymised_at).toBeNull();
    expect(eighteen.request.citizen).toMatchObject({ name: 'Jeanne Martin' });
    for (const r of [seeded.closed6, seeded.open30]) {
      const left = await personalDataOf(await em(), r);
      expect(left.request.anonymised_at, r.reference).toBeNull();
      expect(left).toMatchObject({ attachments: 1, documents: 1 });
      expect(left.traces).toBeGreaterThanOrEqual(5);
    }
    const [{ audits }] = await query<{ audits: number }>(await em(), `select count(*)::int as audits from audit_log where tenant_id = ? and target = 'old'`, [tenantId]);
    expect(audits).toBe(1);
    // Only the attempt younger than 6 months is left; another tenant's are not this run's business.
    expect(await loginAttemptsLeft(tenantId)).toEqual({ total: 1, recent: 1 });
    expect(await loginAttemptsLeft(otherTenantId)).toEqual({ total: 1, recent: 0 });

    expect(await dashboard()).toEqual(before);

    const second = await run('second', 200);
    expect(Object.values(second.counts).every((n) => n === 0)).toBe(true);
    expect(await dashboard()).toEqual(before);

    // One summary per run in the audit trail, with its counts.
    const summaries = await query<{ data: { run: string; counts: Record<string, number> } }>(
      await em(),
      `select data from audit_log where tenant_id = ? and action = 'retention.run' order by at`,
      [tenantId],
    );
    expect(summaries.map((s) => s.data.run)).toEqual([first.runId, second.runId]);
    expect(summaries[0].data.counts).toEqual(first.counts);
  });

  it('has a daily schedule per tenant, created at worker start-up and ensured for a new tenant, which runs the workflow', async () => {
    // The demo tenant existed when the test worker started.
    const demo = await client.schedule.getHandle(retentionScheduleId('demo')).describe();
    expect(demo.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionWorkflow', taskQueue: REQUEST_TASK_QUEUE });

    const fresh = await createTestTenant();
    const tenant = (await reportTenant(await em(), await tenantIdOf(await em(), fresh.slug)))!;
    schedules.push(retentionScheduleId(fresh.slug));
    // 'updated' when another test's worker process started in between and created it on its own queue.
    expect(['created', 'updated']).toContain(await ensureRetentionSchedule(client, tenant, REQUEST_TASK_QUEUE));
    expect(await ensureRetentionSchedule(client, tenant, REQUEST_TASK_QUEUE)).toBe('unchanged');
    const handle = client.schedule.getHandle(retentionScheduleId(fresh.slug));
    const description = await handle.describe();
    expect(description.spec.timezone).toBe('Europe/Paris');
    expect(description.spec.calendars![0]).toMatchObject({ hour: [{ start: 3, end: 3 }], minute: [{ start: 30, end: 30 }] });
    expect(description.policies).toMatchObject({ overlap: 'SKIP' });
    expect(description.action).toMatchObject({ args: [{ tenantId: tenant.id, tenantSlug: fresh.slug }] });

    await handle.trigger();
    const workflowId = await eventually(async () => {
      const [action] = (await handle.describe()).info.recentActions;
      expect(action).toBeDefined();
      return action.action.workflow.workflowId;
    }, 60_000);
    expect(workflowId.startsWith(retentionScheduleId(fresh.slug))).toBe(true);
    const result: RetentionResult = await client.workflow.getHandle(workflowId).result();
    await keepHistory('retention-scheduled', client.workflow.getHandle(workflowId), RETENTION_HISTORIES_DIR);
    expect(result.runId).toBe(workflowId);
    const [summary] = await query<{ n: number }>(await em(), `select count(*)::int as n from audit_log where action = 'retention.run' and data->>'run' = ?`, [workflowId]);
    expect(summary.n).toBe(1);
  });

  it('is created by tenant:import for the imported tenant', async () => {
    const { config } = await createTestTenant();
    const imported = { ...config, slug: `imp-${newId().slice(0, 8)}` };
    const file = writeTenantFile(imported, 'relais-retention-');
    schedules.push(retentionScheduleId(imported.slug), qualityReportScheduleId(imported.slug));
    const result = runRelais(['tenant:import', file]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Daily retention schedule (created|updated|unchanged): every day at 03:30 Europe\/Paris/);
    const description = await client.schedule.getHandle(retentionScheduleId(imported.slug)).describe();
    expect(description.action).toMatchObject({ workflowType: 'retentionWorkflow', args: [{ tenantSlug: imported.slug }] });
  }, 60_000);

  it('continues as new when a run is long, with the same cut-off date and counts summed over every run', async () => {
    const { slug: longSlug } = await createTestTenant();
    const longTenant = await tenantIdOf(await em(), longSlug);
    for (const monthsAgo of [30, 29, 28]) await seedRequest(await em(), longSlug, longTenant, { state: 'closed', monthsAgo });
    const handle = await client.workflow.start('retentionWorkflow', {
      taskQueue: REQUEST_TASK_QUEUE,
      workflowId: retentionWorkflowId(longSlug, `long-${newId().slice(0, 8)}`),
      args: [{ tenantId: longTenant, tenantSlug: longSlug, batchSize: 1, batchesPerCall: 1, callsPerRun: 2 }],
    });
    const result: RetentionResult = await handle.result();
    expect(result.counts).toMatchObject({ requestsAnonymised: 3, attachmentsDeleted: 3, documentsDeleted: 3, notificationsDeleted: 3, smsDeleted: 3, smsInboundDeleted: 3 });
    expect(result.runId).toBe(handle.workflowId);
    // The first run of the chain handed over to a new one, with its cut-off date.
    const first = await client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
    const last = first.events!.at(-1)!;
    expect(last.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    const summaries = await query<{ n: number }>(await em(), `select count(*)::int as n from audit_log where tenant_id = ? and action = 'retention.run'`, [longTenant]);
    expect(summaries[0].n).toBe(1);
  });
});
