import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { parseReportMonth } from '@/domain/dashboard/monthly';
import { findQualityReport, listQualityReports, reportTenant } from '@/domain/dashboard/reports';
import { frenchMonth, ofFrenchMonth } from '@/domain/format/french';
import { NotFoundError } from '@/domain/validation';
import { startQualityReport } from '@/temporal/quality-report';
import { appContext, appTemporalClient } from '@/app/_server/context';
import { agentRoute } from '@/app/console/_server/route';

async function tenantOf(em: EntityManager, tenantId: string) {
  const tenant = await reportTenant(em, tenantId);
  if (!tenant) throw new NotFoundError(`Unknown tenant ${tenantId}`);
  return tenant;
}

/** The monthly quality reports of the tenant, newest first (administrators: they cover every department). */
export const GET = agentRoute('admin', async ({ em, principal, params }) => {
  const tenant = await tenantOf(em, principal.tenantId);
  const reports = await listQualityReports(em, tenant);
  return Response.json(
    { reports: reports.map((r) => ({ ...r, downloadUrl: `/api/v1/t/${params.tenant}/agent/reports/${r.month}` })) },
    { headers: { 'cache-control': 'no-store' } },
  );
});

/**
 * Produces the report of a month that has ended (`{"month":"YYYY-MM"}`) through the report workflow: 200 when it
 * exists already, 202 when it is being produced (the administrators are e-mailed when it is ready).
 */
export const POST = agentRoute('admin', async ({ em, principal, params, json }) => {
  const tenant = await tenantOf(em, principal.tenantId);
  const body = (await json()) as { month?: unknown } | null;
  const month = parseReportMonth(body && typeof body === 'object' ? body.month : undefined, tenant.timeZone);
  const label = frenchMonth(month);
  const of = ofFrenchMonth(month);
  const downloadUrl = `/api/v1/t/${params.tenant}/agent/reports/${month}`;
  const existing = await findQualityReport(em, tenant, month);
  if (existing) {
    await writeAudit(em, { tenantId: tenant.id, agentId: principal.agentId, action: 'quality_report.generate', target: month, data: { status: 'exists' } });
    return Response.json({ status: 'exists', month, label, downloadUrl, message: `Le rapport ${of} existe déjà : il figure dans la liste.` });
  }
  const { temporal } = await appContext();
  const outcome = await startQualityReport(await appTemporalClient(), { tenantId: tenant.id, tenantSlug: tenant.slug, month }, temporal.taskQueue);
  await writeAudit(em, { tenantId: tenant.id, agentId: principal.agentId, action: 'quality_report.generate', target: month, data: { status: outcome } });
  return Response.json(
    {
      status: outcome,
      month,
      label,
      downloadUrl,
      message:
        outcome === 'started'
          ? `Le rapport ${of} est en cours de production. Il apparaîtra dans la liste dans quelques instants et les administrateurs le recevront par courriel.`
          : `Le rapport ${of} est déjà en cours de production : il apparaîtra dans la liste dans quelques instants.`,
    },
    { status: 202 },
  );
});
