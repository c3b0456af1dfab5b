import { writeAudit } from '@/domain/audit/log';
import { parseTreasuryFilters, reconciliationCsv, tenantToday, treasuryReport } from '@/domain/payments/treasury';
import { agentRoute } from '@/app/console/_server/route';
import { fileDownload } from '@/app/_server/http';

/**
 * The régie's payments (`du`, `au`, `produit`, `etat`), by day with totals; `format=csv` downloads the reconciliation
 * file (idOp, refdet, amount, date and time, numauto, product, request), and that export is audited.
 */
export const GET = agentRoute('treasury', async ({ request, em, principal }) => {
  const params = new URL(request.url).searchParams;
  const filters = parseTreasuryFilters(params, await tenantToday(em, principal.tenantId));
  const report = await treasuryReport(em, principal.tenantId, filters);
  if (params.get('format') !== 'csv') return Response.json(report, { headers: { 'cache-control': 'no-store' } });
  const { csv, rows } = reconciliationCsv(report);
  await writeAudit(em, { tenantId: principal.tenantId, agentId: principal.agentId, action: 'treasury.export', target: 'payments', data: { filters, rows } });
  return fileDownload(csv, 'text/csv; charset=utf-8', `rapprochement-payfip-${filters.from}-${filters.to}.csv`);
});
