import type { Command } from 'commander';
import { parseReportMonth } from '@/domain/dashboard/monthly';
import { reportTenant, reportTenants, type ReportTenant } from '@/domain/dashboard/reports';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { InputError } from '@/domain/validation';
import { closeTemporalClients, temporalClient } from '@/temporal/client';
import { QUALITY_REPORT_CALENDAR, ensureQualityReportSchedule, startQualityReport } from '@/temporal/quality-report';
import { RETENTION_CALENDAR, ensureRetentionSchedule } from '@/temporal/retention';
import { qualityReportWorkflowId } from '@/workflows/quality-report/definitions';
import { CliError, requireDatabase } from './support';

function requireTemporal() {
  const config = env();
  if (!config.TEMPORAL_ADDRESS) throw new CliError('TEMPORAL_ADDRESS is not set: point it at the Temporal server (npm start prints it).');
  return { target: { address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE }, taskQueue: config.TEMPORAL_TASK_QUEUE };
}

const when = (tenant: ReportTenant) => `day ${QUALITY_REPORT_CALENDAR.dayOfMonth} of each month at ${String(QUALITY_REPORT_CALENDAR.hour).padStart(2, '0')}:00 ${tenant.timeZone}`;

/**
 * After tenant:import: creates or updates the tenant's monthly report and daily retention schedules when Temporal is configured; the
 * import itself has succeeded either way, so a problem here is a warning.
 */
export async function scheduleAfterImport(slug: string): Promise<void> {
  const config = env();
  if (!config.TEMPORAL_ADDRESS) {
    console.log('Monthly quality report and daily retention: TEMPORAL_ADDRESS is not set; the worker creates the schedules at its next start.');
    return;
  }
  const orm = await initORM(requireDatabase());
  const [row] = await query<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [slug]);
  const tenant = row ? await reportTenant(orm.em.fork(), row.id) : undefined;
  if (!tenant) return;
  try {
    const { target, taskQueue } = requireTemporal();
    const client = await temporalClient(target);
    const outcome = await ensureQualityReportSchedule(client, tenant, taskQueue);
    console.log(`Monthly quality report schedule ${outcome}: ${when(tenant)}.`);
    const retention = await ensureRetentionSchedule(client, tenant, taskQueue);
    console.log(`Daily retention schedule ${retention}: every day at ${String(RETENTION_CALENDAR.hour).padStart(2, '0')}:${RETENTION_CALENDAR.minute} ${tenant.timeZone}.`);
  } catch (error) {
    console.warn(`Schedules not ensured (${(error as Error).message}); the worker creates them at its next start.`);
  } finally {
    await closeTemporalClients();
  }
}

/** `reports:schedule` and `reports:generate`. */
export function registerReportCommands(program: Command): void {
  program
    .command('reports:schedule')
    .description("create or update every tenant's monthly quality report schedule (1st of the month, 06:00 local time)")
    .action(async () => {
      const { target, taskQueue } = requireTemporal();
      const orm = await initORM(requireDatabase());
      try {
        const client = await temporalClient(target);
        for (const tenant of await reportTenants(orm.em.fork())) {
          console.log(`${tenant.slug}: ${await ensureQualityReportSchedule(client, tenant, taskQueue)} (${when(tenant)})`);
        }
      } finally {
        await closeTemporalClients();
      }
    });

  program
    .command('reports:generate')
    .description("produce a tenant's quality report for a month that has ended now, and e-mail its administrators")
    .argument('<tenant>', 'tenant slug')
    .argument('<month>', 'YYYY-MM')
    .action(async (slug: string, month: string) => {
      const { target, taskQueue } = requireTemporal();
      const orm = await initORM(requireDatabase());
      const [row] = await query<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [slug]);
      const tenant = row ? await reportTenant(orm.em.fork(), row.id) : undefined;
      if (!tenant) throw new CliError(`Unknown tenant ${slug}.`);
      let valid: string;
      try {
        valid = parseReportMonth(month, tenant.timeZone);
      } catch (error) {
        if (error instanceof InputError) throw new CliError(error.errors.map((e) => e.message).join(' '));
        throw error;
      }
      try {
        const outcome = await startQualityReport(await temporalClient(target), { tenantId: tenant.id, tenantSlug: tenant.slug, month: valid }, taskQueue);
        const id = qualityReportWorkflowId(tenant.slug, valid);
        console.log(outcome === 'started' ? `Started ${id}.` : `${id} already ran or is running: the report is not made twice.`);
      } finally {
        await closeTemporalClients();
      }
    });
}
