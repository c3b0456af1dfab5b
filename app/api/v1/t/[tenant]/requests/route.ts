import { formIntake } from '../../../../../_components/forms/server';
import { handleRoute, readJson } from '../../../../../_server/http';

/** Files a citizen request: 201 with reference, tracking code, due date and tracking link; form data is validated against the topic's form. */
export async function POST(request: Request, { params }: { params: Promise<{ tenant: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const { tenant } = await params;
    const body = await readJson(request);
    const { reference, trackingCode, dueAt, trackingUrl } = await (await formIntake()).submitRequestWithForm(tenant, body, 'web');
    return Response.json({ reference, trackingCode, dueAt, trackingUrl }, { status: 201 });
  });
}
