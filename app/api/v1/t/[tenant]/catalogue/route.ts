import { appContext } from '@/app/_server/context';
import { handleRoute } from '@/app/_server/http';
import { listCatalogue } from '@/domain/payments/catalogue';

/** What the municipality sells online, with the price in cents, the stock left and whether it is on sale now. */
export async function GET(_request: Request, { params }: { params: Promise<{ tenant: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const { tenant } = await params;
    const { orm } = await appContext();
    return Response.json(await listCatalogue(orm.em.fork(), tenant));
  });
}
