import pino from 'pino';
import { clientAddress } from '@/domain/antispam/client-address';
import { env } from '@/domain/env';
import { findProductOffer } from '@/domain/payments/catalogue';
import { PaymentNotCreatedYet } from '@/domain/payments/purchases';
import type { FieldError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import { forgetDraft, keepDraft, purchaseBody, purchasePaths, purchaseRefusal, readDraft, rememberPurchase } from '@/app/t/_lib/purchase';
import { findPortalTenant } from '@/app/t/_lib/tenant';

const log = pino({ name: 'portal' });

/**
 * The summary's « Payer »: files the purchase and answers 303 to PayFiP's page, or to the form with its errors. A plain
 * form post to a route (not a server action), so that the redirect to PayFiP's own site works without JavaScript too.
 * The draft travels in a SameSite=Lax cookie, which another site's form does not send.
 */
export async function POST(request: Request, { params }: { params: Promise<{ tenant: string; produit: string }> }): Promise<Response> {
  const { tenant: slug, produit } = await params;
  const tenant = await findPortalTenant(slug);
  if (!tenant) return new Response('Commune inconnue.', { status: 404 });
  const { orm, purchases } = await appContext();
  const offer = await findProductOffer(orm.em.fork(), tenant.slug, produit);
  const draft = offer ? await readDraft(offer.slug) : undefined;
  if (!offer || !draft) return seeOther(offer ? purchasePaths.form(tenant.slug, offer.slug) : `${purchasePaths.catalogue(tenant.slug)}?erreur=produit`);
  let errors: FieldError[];
  try {
    const receipt = await purchases.purchase(tenant.slug, purchaseBody(draft, offer), clientAddress(request.headers, env().RELAIS_TRUSTED_PROXIES));
    await rememberPurchase(tenant.slug, receipt.reference, receipt.trackingCode);
    await forgetDraft(tenant.slug);
    return seeOther(receipt.paymentUrl);
  } catch (error) {
    if (error instanceof PaymentNotCreatedYet) {
      // Filed: the return page shows the order, whose payment link comes once PayFiP answers.
      log.warn({ err: error, reference: error.reference }, 'purchase filed before PayFiP created its payment');
      await rememberPurchase(tenant.slug, error.reference, error.trackingCode);
      await forgetDraft(tenant.slug);
      return seeOther(purchasePaths.paymentReturn(tenant.slug));
    }
    errors = purchaseRefusal(error);
  }
  await keepDraft(tenant.slug, { ...draft, errors });
  return seeOther(`${purchasePaths.form(tenant.slug, offer.slug)}#erreurs`);
}

function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
}
