import { writeAudit } from '@/domain/audit/log';
import { InputError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import { agentRoute } from '@/app/console/_server/route';

/**
 * Records a request on behalf of a citizen met at the counter or on the phone: the same body as the public API
 * plus `intakeChannel` ('counter' or 'phone'); it starts the same workflow. 201 with the receipt to hand over.
 */
export const POST = agentRoute('agent', async ({ params, em, principal, json }) => {
  const body = await json();
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new InputError([{ path: '', message: 'Le contenu envoyé doit être un objet JSON.' }]);
  const { intakeChannel, ...request } = body as Record<string, unknown>;
  if (intakeChannel !== 'counter' && intakeChannel !== 'phone') {
    throw new InputError([{ path: '/intakeChannel', message: 'Précisez si la demande est reçue à l’accueil (counter) ou par téléphone (phone).' }]);
  }
  const { intake } = await appContext();
  const receipt = await intake.submitRequest(params.tenant, request, intakeChannel);
  await writeAudit(em, { tenantId: principal.tenantId, agentId: principal.agentId, action: 'request.intake', target: receipt.reference, data: { channel: intakeChannel } });
  return Response.json(receipt, { status: 201 });
});
