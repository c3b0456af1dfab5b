import { actorOf, requireRole } from '@/domain/auth/roles';
import { REQUEST_ACTIONS, isRequestAction, performRequestAction } from '@/domain/inbox/actions';
import { NotFoundError } from '@/domain/validation';
import { appTemporalClient } from '@/app/_server/context';
import { agentRoute } from '@/app/console/_server/route';
import { temporalRequestCommands } from '@/temporal/request-commands';

/** Runs a console action (open, save-draft, submit, approve, return, transfer, ask-citizen, answer, note, close) as a workflow update. */
export const POST = agentRoute<{ tenant: string; reference: string; action: string }>('agent', async ({ params, em, principal, json }) => {
  if (!isRequestAction(params.action)) throw new NotFoundError(`Unknown action ${params.action}`);
  requireRole(principal, REQUEST_ACTIONS[params.action].requires);
  const outcome = await performRequestAction(
    { em, requests: temporalRequestCommands(await appTemporalClient()) },
    { tenantId: principal.tenantId, actor: actorOf(principal), reference: params.reference },
    params.action,
    await json(),
  );
  return Response.json(outcome);
});
