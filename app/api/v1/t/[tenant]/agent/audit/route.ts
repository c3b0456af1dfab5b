import { writeAudit } from '@/domain/audit/log';
import { auditTrailCsv, listAuditTrail, parseAuditFilters } from '@/domain/audit/trail';
import { agentRoute } from '@/app/console/_server/route';
import { fileDownload } from '@/app/_server/http';

/**
 * The tenant's audit trail for administrators and the data protection officer: filters `agent`, `action`, `du`, `au`,
 * `demande`, keyset pages (`apres`); `format=csv` downloads every filtered entry, and that export is itself audited.
 */
export const GET = agentRoute('dpo', async ({ request, em, principal }) => {
  const params = new URL(request.url).searchParams;
  const filters = parseAuditFilters(params);
  if (params.get('format') === 'csv') {
    const { csv, rows } = await auditTrailCsv(em, principal.tenantId, filters);
    const { after: _page, ...kept } = filters;
    await writeAudit(em, { tenantId: principal.tenantId, agentId: principal.agentId, action: 'audit.export', target: 'audit', data: { filters: kept, rows } });
    const day = new Date().toISOString().slice(0, 10);
    return fileDownload(csv, 'text/csv; charset=utf-8', `journal-audit-${day}.csv`);
  }
  return Response.json(await listAuditTrail(em, principal.tenantId, filters), { headers: { 'cache-control': 'no-store' } });
});
