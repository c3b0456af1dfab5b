import { appContext, appTemporalClient } from '../../../../../../../_server/context';
import { handleRoute, readJson } from '../../../../../../../_server/http';
import { assertAcceptsReply, publicRequestView, validateCitizenReply } from '../../../../../../../../domain/tracking';
import { citizenReplySignal } from '../../../../../../../../workflows/request/definitions';

/** A citizen's reply, delivered to the request workflow as a signal. */
export async function POST(request: Request, { params }: { params: Promise<{ tenant: string; reference: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const { tenant, reference } = await params;
    const body = validateCitizenReply(await readJson(request));
    const { orm } = await appContext();
    const view = await publicRequestView(orm.em.fork(), tenant, reference, body.code);
    assertAcceptsReply(view);
    const client = await appTemporalClient();
    await client.workflow.getHandle(view.workflowId).signal(citizenReplySignal, { body: body.message.trim(), via: 'web' });
    return Response.json({ accepted: true }, { status: 202 });
  });
}
