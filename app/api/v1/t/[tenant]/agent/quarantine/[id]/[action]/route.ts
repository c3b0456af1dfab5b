import { actorOf } from '@/domain/auth/roles';
import { isQuarantineAction, reviewQuarantinedEmail } from '@/domain/mail/quarantine';
import { NotFoundError } from '@/domain/validation';
import { appContext, appTemporalClient } from '@/app/_server/context';
import { agentRoute } from '@/app/console/_server/route';
import { temporalRequestCommands } from '@/temporal/request-commands';

/** Decides on a quarantined e-mail: attach (citizen reply to its request), new-request (with a topic) or reject. */
export const POST = agentRoute<{ tenant: string; id: string; action: string }>('agent', async ({ params, em, principal, json }) => {
  if (!isQuarantineAction(params.action)) throw new NotFoundError(`Unknown quarantine action ${params.action}`);
  const { intake } = await appContext();
  const outcome = await reviewQuarantinedEmail(
    { em, requests: temporalRequestCommands(await appTemporalClient()), submitRequest: intake.submitRequest },
    { ...actorOf(principal), tenantId: principal.tenantId, tenantSlug: principal.tenantSlug },
    params.id,
    params.action,
    await json(),
  );
  return Response.json(outcome);
});
