import { actorOf } from '@/domain/auth/roles';
import { listQuarantine } from '@/domain/mail/quarantine';
import { agentRoute } from '@/app/console/_server/route';

/** The quarantined e-mails this agent reviews: their department's requests, everything for an administrator. */
export const GET = agentRoute('agent', async ({ em, principal }) => {
  const emails = await listQuarantine(em, { ...actorOf(principal), tenantId: principal.tenantId });
  return Response.json({ emails });
});
