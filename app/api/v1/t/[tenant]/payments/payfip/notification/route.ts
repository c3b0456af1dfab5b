import { appContext } from '@/app/_server/context';
import { handleRoute } from '@/app/_server/http';
import { receivePaymentNotification } from '@/domain/payments/notification';
import { paymentProviderFor } from '@/integrations/payment';

/**
 * PayFiP's server-side notification (`urlnotif`): a form post carrying the `idop`. It is never trusted alone: the
 * payment counts only once `recupererDetailPaiementSecurise` confirms it; unknown or forged ids are audited and ignored.
 */
export async function POST(request: Request, { params }: { params: Promise<{ tenant: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const { tenant } = await params;
    const { orm } = await appContext();
    await receivePaymentNotification(orm.em.fork(), tenant, await request.text(), request.headers.get('content-type') ?? '', paymentProviderFor);
    // The same answer whatever became of it: a forger learns nothing.
    return new Response('OK', { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  });
}
