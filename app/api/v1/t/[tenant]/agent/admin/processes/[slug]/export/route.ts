import { processExport, processVersion } from '@/domain/admin/processes';
import { shippedProcessesStored } from '@/app/console/_server/processes';
import { agentRoute } from '@/app/console/_server/route';
import { fileDownload } from '@/app/_server/http';

/** Downloads one version (`?version=n`, default the current one) as a JSON file `process:validate` and `process:import` read. */
export const GET = agentRoute<{ tenant: string; slug: string }>('admin', async ({ request, em, principal, params }) => {
  await shippedProcessesStored();
  const version = new URL(request.url).searchParams.get('version');
  const { filename, body } = processExport(await processVersion(em, principal.tenantId, params.slug, version === null ? undefined : Number(version)));
  return fileDownload(body, 'application/json; charset=utf-8', filename);
});
