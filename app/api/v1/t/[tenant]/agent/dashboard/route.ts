import { writeAudit } from '@/domain/audit/log';
import { departmentStats, statsToCsv, weeklyTrend } from '@/domain/dashboard/department-stats';
import { parseRange } from '@/domain/dashboard/range';
import { agentRoute } from '@/app/console/_server/route';
import { fileDownload } from '@/app/_server/http';

/** Quality-of-service figures per department (`du`, `au`); `format=csv` downloads them. Heads see their departments, administrators all. */
export const GET = agentRoute('head', async ({ request, em, principal }) => {
  const params = new URL(request.url).searchParams;
  const range = parseRange(params);
  const scope = principal.isAdmin ? undefined : [...new Set(principal.roles.filter((r) => r.role === 'head').map((r) => r.departmentId))];
  const stats = await departmentStats(em, principal.tenantId, range, scope);
  if (params.get('format') === 'csv') {
    await writeAudit(em, { tenantId: principal.tenantId, agentId: principal.agentId, action: 'dashboard.export', target: `${range.fromDay}..${range.toDay}` });
    return fileDownload(statsToCsv(stats, range), 'text/csv; charset=utf-8', `tableau-de-bord-${range.fromDay}-${range.toDay}.csv`);
  }
  const trend = await weeklyTrend(em, principal.tenantId, range, scope);
  return Response.json({ from: range.fromDay, to: range.toDay, departments: stats, trend }, { headers: { 'cache-control': 'no-store' } });
});
