import { previewCampaign, MAX_CAMPAIGN_TEXT } from '@/domain/campaigns/campaigns';
import { fillKnown } from '@/domain/campaigns/templates';
import { InputError } from '@/domain/validation';
import { agentRoute } from '@/app/console/_server/route';

/** `{list, body, values?}` → the SMS as sent, its encoding and segments, the recipients and the total of segments. */
export const POST = agentRoute('agent', async ({ em, principal, json }) => {
  const raw = await json();
  const input: { list?: unknown; body?: unknown; values?: unknown } = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
  if (typeof input.list !== 'string' || !input.list) throw new InputError([{ path: '/list', message: 'Choisissez la liste.' }]);
  if (typeof input.body !== 'string' || input.body.length > MAX_CAMPAIGN_TEXT) {
    throw new InputError([{ path: '/body', message: `Écrivez le message (${MAX_CAMPAIGN_TEXT} caractères au plus).` }]);
  }
  const values = input.values && typeof input.values === 'object' && !Array.isArray(input.values) ? (input.values as Record<string, unknown>) : {};
  return Response.json(await previewCampaign(em, principal.tenantId, input.list, fillKnown(input.body, values)));
});
