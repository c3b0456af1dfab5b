import { previewProcess } from '@/domain/admin/processes';
import { shippedProcessesStored } from '@/app/console/_server/processes';
import { agentRoute } from '@/app/console/_server/route';

/** Checks the edited settings and shows the result (diagram, steps, the guaranteed date of a request filed now); writes nothing. */
export const POST = agentRoute<{ tenant: string; slug: string }>('admin', async ({ em, principal, params, json }) => {
  await shippedProcessesStored();
  return Response.json(await previewProcess(em, principal.tenantId, params.slug, await json()), { headers: { 'cache-control': 'no-store' } });
});
