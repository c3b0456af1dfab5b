import { appContext } from '../../../../../_server/context';
import { handleRoute, readJson } from '../../../../../_server/http';

/** Files a citizen request: 201 with reference, tracking code, due date and tracking link. */
export async function POST(request: Request, { params }: { params: Promise<{ tenant: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const { tenant } = await params;
    const body = await readJson(request);
    const { intake } = await appContext();
    const receipt = await intake.submitRequest(tenant, body, 'web');
    return Response.json(receipt, { status: 201 });
  });
}
