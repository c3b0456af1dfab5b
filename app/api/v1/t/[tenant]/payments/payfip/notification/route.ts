import { appContext } from '@/app/_server/context';
import { handleRoute } from '@/app/_server/http';
import { signalPaymentSettled } from '@/app/_server/payments';
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
    const em = orm.em.fork();
    const result = await receivePaymentNotification(em, tenant, await request.text(), request.headers.get('content-type') ?? '', paymentProviderFor);
    await signalPaymentSettled(em, result);
    // The same answer whatever became of it: a forger learns nothing.
    return new Response('OK', { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  });
}
