import { actorOf } from '@/domain/auth/roles';
import { env } from '@/domain/env';
import { resendMessage } from '@/domain/inbox/resend';
import { appTemporalClient } from '@/app/_server/context';
import { agentRoute } from '@/app/console/_server/route';
import { temporalRequestCommands } from '@/temporal/request-commands';

/** Sends a message to the citizen again through the other channel (e-mail ↔ SMS), as an update of the request's workflow. */
export const POST = agentRoute<{ tenant: string; reference: string }>('agent', async ({ params, em, principal, json }) => {
  const outcome = await resendMessage(
    { em, requests: temporalRequestCommands(await appTemporalClient()), smsAvailable: Boolean(env().SMPP_URL) },
    { tenantId: principal.tenantId, actor: actorOf(principal), reference: params.reference },
    await json(),
  );
  return Response.json(outcome);
});
