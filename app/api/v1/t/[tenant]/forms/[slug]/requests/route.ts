import { formIntake } from '../../../../../../../_components/forms/server';
import { handleRoute, readJson } from '../../../../../../../_server/http';
import { InputError } from '../../../../../../../../domain/validation';

/** Files a form request `{data, version?}`: validated on the server with the stored definition, 201 with the receipt or 400 with `/data/…` errors. */
export async function POST(request: Request, { params }: { params: Promise<{ tenant: string; slug: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const { tenant, slug } = await params;
    const body = await readJson(request);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InputError([{ path: '', message: 'Envoyez un objet JSON { data, version }.' }]);
    const { data, version } = body as { data?: unknown; version?: unknown };
    if (version !== undefined && !Number.isInteger(version)) throw new InputError([{ path: '/version', message: 'La version doit être un nombre entier.' }]);
    const receipt = await (await formIntake()).submitForm(tenant, slug, { data: data ?? {}, version: version as number | undefined });
    return Response.json(receipt, { status: 201 });
  });
}
