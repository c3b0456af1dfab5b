import { appContext } from '@/app/_server/context';
import { handleRoute } from '@/app/_server/http';
import { listPublicLists } from '@/domain/subscriptions/lists';

/** The lists a citizen can subscribe to, with the channels each offers; internal lists are left out. */
export async function GET(_request: Request, { params }: { params: Promise<{ tenant: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const { tenant } = await params;
    const { orm } = await appContext();
    return Response.json(await listPublicLists(orm.em.fork(), tenant));
  });
}
