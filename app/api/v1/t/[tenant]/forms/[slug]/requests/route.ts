import { formIntake } from '@/app/_components/forms/server';
import { duplicateAnswer } from '@/app/_server/duplicate';
import { publicJsonRoute } from '@/app/_server/http';
import { InputError } from '@/domain/validation';

/** Files a form request `{data, version?}`: validated on the server with the stored definition, 201 with the receipt or 400 with `/data/…` errors. */
export const POST = publicJsonRoute<{ tenant: string; slug: string }>(async ({ params, body, clientAddress }) => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InputError([{ path: '', message: 'Envoyez un objet JSON { data, version }.' }]);
  const unknown = Object.keys(body).filter((key) => key !== 'data' && key !== 'version');
  if (unknown.length) throw new InputError(unknown.map((key) => ({ path: `/${key}`, message: 'Ce champ n’est pas attendu.' })));
  const { data, version } = body as { data?: unknown; version?: unknown };
  if (version !== undefined && (!Number.isSafeInteger(version) || (version as number) < 1)) throw new InputError([{ path: '/version', message: 'La version doit être un nombre entier positif.' }]);
  const outcome = await (await formIntake()).submitForm(params.tenant, params.slug, { data: data ?? {}, version: version as number | undefined }, 'form', { clientAddress });
  if (outcome.duplicate) return duplicateAnswer(outcome);
  const { duplicate: _new, ...receipt } = outcome;
  return Response.json(receipt, { status: 201 });
});
