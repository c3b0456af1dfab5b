import { loadMailSettings, saveMailSettings } from '@/domain/admin/mail-settings';
import { agentRoute } from '@/app/console/_server/route';

/** The tenant's inbound e-mail settings (never the mailbox password) and the addresses citizens can write to. */
export const GET = agentRoute('admin', async ({ em, principal }) => Response.json(await loadMailSettings(em, principal.tenantId), { headers: { 'cache-control': 'no-store' } }));

/** Replaces the inbound e-mail settings (French field errors); an empty mailbox password keeps the stored one. */
export const PUT = agentRoute('admin', async ({ em, principal, json }) => {
  await saveMailSettings(em, { tenantId: principal.tenantId, agentId: principal.agentId }, await json());
  return Response.json({ message: 'Réglages du courriel entrant enregistrés.' });
});
