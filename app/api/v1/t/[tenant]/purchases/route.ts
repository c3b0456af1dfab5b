import { appContext } from '@/app/_server/context';
import { publicJsonRoute } from '@/app/_server/http';
import { PaymentNotCreatedYet, type PurchaseReceipt, type PurchaseTimings } from '@/domain/payments/purchases';

/**
 * Buys from the catalogue: 201 with the request's reference and tracking code, the amount worked out on the server (an
 * amount in the body is ignored) and the PayFiP page to pay on; 409 when the stock or the per-citizen limit cannot
 * serve the quantity, with nothing written.
 */
export const POST = publicJsonRoute<{ tenant: string }>(async ({ params, body, clientAddress }) => {
  const { purchases } = await appContext();
  let receipt: PurchaseReceipt & { timings: PurchaseTimings };
  try {
    receipt = await purchases.purchase(params.tenant, body, clientAddress);
  } catch (error) {
    if (!(error instanceof PaymentNotCreatedYet)) throw error;
    const message = `Votre commande ${error.reference} est enregistrée, mais le service de paiement ne répond pas : le lien de paiement sera affiché sur la page de suivi de la commande dès qu’il répondra.`;
    return Response.json({ errors: [{ path: '', message }], reference: error.reference, trackingCode: error.trackingCode }, { status: 503, headers: { 'retry-after': '60' } });
  }
  const { reference, trackingCode, amount, paymentUrl, timings } = receipt;
  // Where the answer's time went (pricing, stock hold, filing with the workflow's start, PayFiP), for operators and bench:payment.
  const serverTiming = Object.entries(timings).map(([phase, ms]) => `${phase};dur=${ms}`).join(', ');
  return Response.json({ reference, trackingCode, amount, paymentUrl }, { status: 201, headers: { 'cache-control': 'no-store', 'server-timing': serverTiming } });
});
