import { loadRetentionPolicy, saveRetentionPolicy } from '@/domain/privacy/retention-settings';
import { agentRoute } from '@/app/console/_server/route';

/** The tenant's personal-data retention durations. */
export const GET = agentRoute('admin', async ({ em, principal }) => Response.json(await loadRetentionPolicy(em, principal.tenantId), { headers: { 'cache-control': 'no-store' } }));

/** Changes the durations (French field errors for values out of bounds); audited as a settings change. */
export const POST = agentRoute('admin', async ({ em, principal, json }) => {
  await saveRetentionPolicy(em, { tenantId: principal.tenantId, agentId: principal.agentId }, await json());
  return Response.json({ message: 'Durées de conservation enregistrées. Elles s’appliquent dès la prochaine exécution quotidienne.' });
});
