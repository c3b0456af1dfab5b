import { appContext } from '@/app/_server/context';
import { handleRoute } from '@/app/_server/http';
import { listPublicTopics } from '@/domain/topics';

/** The topics a citizen can choose, with their department and delay. */
export async function GET(_request: Request, { params }: { params: Promise<{ tenant: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const { tenant } = await params;
    const { orm } = await appContext();
    return Response.json(await listPublicTopics(orm.em.fork(), tenant));
  });
}
