import pino from 'pino';
import { assertAcceptsReply, validateCitizenReply } from '@/domain/tracking/citizen-reply';
import { publicRequestView } from '@/domain/tracking/public-view';
import { ConflictError, InputError, NotFoundError } from '@/domain/validation';
import { citizenReplySignal } from '@/workflows/request/definitions';
import { appContext, appTemporalClient } from '@/app/_server/context';
import { portalPaths } from '@/app/t/_lib/tenant';

const log = pino({ name: 'portal' });

/** The tracking page's reply box as a plain form post: same checks as the JSON replies API, then back to the page. */
export async function POST(request: Request, { params }: { params: Promise<{ tenant: string; reference: string }> }): Promise<Response> {
  const { tenant, reference } = await params;
  let code = '';
  const back = (query: string) =>
    new Response(null, { status: 303, headers: { location: `${portalPaths.tracking(tenant, reference, code)}&${query}`, 'cache-control': 'no-store' } });
  try {
    const form = await request.formData();
    code = String(form.get('code') ?? '');
    const body = validateCitizenReply({ code, message: String(form.get('message') ?? '') });
    const { orm } = await appContext();
    const view = await publicRequestView(orm.em.fork(), tenant, reference, body.code);
    assertAcceptsReply(view);
    const client = await appTemporalClient();
    await client.workflow.getHandle(view.workflowId).signal(citizenReplySignal, { body: body.message.trim(), via: 'web' });
    return back('envoye=1#contenu');
  } catch (error) {
    if (error instanceof NotFoundError || (error instanceof InputError && error.errors.some((e) => e.path === '/code')))
      return new Response(null, { status: 303, headers: { location: portalPaths.lookup(tenant) } });
    if (error instanceof InputError) return back('erreur=vide#erreurs-reponse');
    if (error instanceof ConflictError) return back('erreur=close#erreurs-reponse');
    log.error(error, 'unexpected error on a citizen reply');
    return back('erreur=indisponible#erreurs-reponse');
  }
}
