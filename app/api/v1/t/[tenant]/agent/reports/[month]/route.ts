import { pdfResponse } from '@/domain/documents/store';
import { writeAudit } from '@/domain/audit/log';
import { parseReportMonth } from '@/domain/dashboard/monthly';
import { findQualityReport, reportTenant } from '@/domain/dashboard/reports';
import { NotFoundError } from '@/domain/validation';
import { agentRoute } from '@/app/console/_server/route';

/** Downloads the quality report of a month (PDF); 400 for a malformed or unfinished month, 404 when not produced. */
export const GET = agentRoute<{ tenant: string; month: string }>('admin', async ({ em, principal, params }) => {
  const tenant = await reportTenant(em, principal.tenantId);
  if (!tenant) throw new NotFoundError(`Unknown tenant ${principal.tenantId}`);
  const month = parseReportMonth(params.month, tenant.timeZone);
  const report = await findQualityReport(em, tenant, month);
  if (!report) throw new NotFoundError(`No quality report for ${month}`);
  await writeAudit(em, { tenantId: tenant.id, agentId: principal.agentId, action: 'quality_report.download', target: month });
  return pdfResponse(report);
});
