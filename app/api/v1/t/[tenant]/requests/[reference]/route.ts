import { appContext } from '@/app/_server/context';
import { handleRoute } from '@/app/_server/http';
import { publicRequestView } from '@/domain/tracking/public-view';

/** The public view of a request for whoever holds its tracking code. */
export async function GET(request: Request, { params }: { params: Promise<{ tenant: string; reference: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const { tenant, reference } = await params;
    const code = new URL(request.url).searchParams.get('code');
    const { orm } = await appContext();
    const { workflowId: _internal, ...view } = await publicRequestView(orm.em.fork(), tenant, reference, code);
    return Response.json(view, { headers: { 'cache-control': 'no-store' } });
  });
}
