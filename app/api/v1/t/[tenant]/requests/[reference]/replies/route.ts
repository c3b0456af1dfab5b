import { appContext, appTemporalClient } from '@/app/_server/context';
import { publicJsonRoute } from '@/app/_server/http';
import { assertAcceptsReply, validateCitizenReply } from '@/domain/tracking/citizen-reply';
import { publicRequestView } from '@/domain/tracking/public-view';
import { citizenReplySignal } from '@/workflows/request/definitions';

/** A citizen's reply, delivered to the request workflow as a signal. */
export const POST = publicJsonRoute<{ tenant: string; reference: string }>(async ({ params, body: raw }) => {
  const body = validateCitizenReply(raw);
  const { orm } = await appContext();
  const view = await publicRequestView(orm.em.fork(), params.tenant, params.reference, body.code);
  assertAcceptsReply(view);
  const client = await appTemporalClient();
  await client.workflow.getHandle(view.workflowId).signal(citizenReplySignal, { body: body.message.trim(), via: 'web' });
  return Response.json({ accepted: true }, { status: 202 });
});
