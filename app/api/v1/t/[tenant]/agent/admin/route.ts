import { adminOverview } from '@/domain/admin/overview';
import { listAudit } from '@/domain/audit/log';
import { agentRoute } from '@/app/console/_server/route';

/** Everything administrators configure (departments, agents, topics, templates, branding) and the latest audit entries. */
export const GET = agentRoute('admin', async ({ em, principal }) => {
  const [overview, audit] = await Promise.all([adminOverview(em, principal.tenantId), listAudit(em.fork(), principal.tenantId, { limit: 50 })]);
  return Response.json({ ...overview, audit }, { headers: { 'cache-control': 'no-store' } });
});
