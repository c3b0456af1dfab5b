import { listProcesses } from '@/domain/admin/processes';
import { shippedProcessesStored } from '@/app/console/_server/processes';
import { agentRoute } from '@/app/console/_server/route';

/** The processes the tenant may use (its own and the shipped ones), with their versions and the forms and topics naming them. */
export const GET = agentRoute('admin', async ({ em, principal }) => {
  await shippedProcessesStored();
  return Response.json(await listProcesses(em, principal.tenantId), { headers: { 'cache-control': 'no-store' } });
});
