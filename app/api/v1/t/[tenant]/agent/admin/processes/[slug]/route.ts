import { publishProcess, processVersion, settingsOf, stepRows } from '@/domain/admin/processes';
import { processSvg } from '@/domain/processes/diagram';
import { shippedProcessesStored } from '@/app/console/_server/processes';
import { agentRoute } from '@/app/console/_server/route';

type Params = { tenant: string; slug: string };

/** One process (`?version=n`, default the current one): definition, diagram, step table and the editable settings. */
export const GET = agentRoute<Params>('admin', async ({ request, em, principal, params }) => {
  await shippedProcessesStored();
  const version = new URL(request.url).searchParams.get('version');
  const stored = await processVersion(em, principal.tenantId, params.slug, version === null ? undefined : Number(version));
  return Response.json(
    {
      slug: stored.slug,
      version: stored.version,
      scope: stored.tenantId ? 'commune' : 'produit',
      definition: stored.definition,
      svg: processSvg(stored.definition),
      steps: stepRows(stored.definition),
      settings: settingsOf(stored.definition, stored.version),
    },
    { headers: { 'cache-control': 'no-store' } },
  );
});

/** Publishes the edited settings as a new version owned by the tenant (French errors with paths; unchanged: no version). */
export const POST = agentRoute<Params>('admin', async ({ em, principal, params, json }) => {
  await shippedProcessesStored();
  const result = await publishProcess(em, { tenantId: principal.tenantId, agentId: principal.agentId }, params.slug, await json());
  return Response.json(result, { status: result.created ? 201 : 200 });
});
