'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import pino from 'pino';
import { clientAddress } from '@/domain/antispam/client-address';
import { SpamRefusal } from '@/domain/antispam/refusal';
import { env } from '@/domain/env';
import { findProductOffer } from '@/domain/payments/catalogue';
import { PaymentNotCreatedYet } from '@/domain/payments/purchases';
import { ConflictError, InputError, NotFoundError, type FieldError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import { forgetDraft, keepDraft, purchaseBody, purchasePaths, readDraft, rememberPurchase, type PurchaseDraft } from '@/app/t/_lib/purchase';

const log = pino({ name: 'portal' });

function text(form: FormData, name: string, max = 500): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.slice(0, max) : '';
}

async function offerOf(tenantSlug: string, product: string) {
  const { orm } = await appContext();
  return findProductOffer(orm.em.fork(), tenantSlug, product);
}

/** "Voir le récapitulatif": the server prices the purchase; the summary shows that amount, or the form its errors. */
export async function reviewPurchase(tenantSlug: string, product: string, form: FormData): Promise<void> {
  const offer = await offerOf(tenantSlug, product);
  if (!offer) redirect(`${purchasePaths.catalogue(tenantSlug)}?erreur=produit`);
  const draft: PurchaseDraft = {
    product,
    quantity: text(form, 'quantite', 10),
    name: text(form, 'nom', 200),
    email: text(form, 'email', 320),
    phone: text(form, 'telephone', 40),
    bracketValue: text(form, 'tranche', 20),
  };
  // Robots fill every field; people never see this one.
  if (text(form, 'site')) redirect(purchasePaths.catalogue(tenantSlug));
  const { purchases } = await appContext();
  let errors: FieldError[] = [];
  try {
    await purchases.quotePurchase(tenantSlug, purchaseBody(draft, offer));
  } catch (error) {
    errors = refusalOf(error);
  }
  await keepDraft(tenantSlug, { ...draft, ...(errors.length ? { errors } : {}) });
  redirect(errors.length ? `${purchasePaths.form(tenantSlug, product)}#erreurs` : purchasePaths.summary(tenantSlug, product));
}

/** "Payer": the purchase is filed and its payment created, then the citizen goes to PayFiP's page. */
export async function confirmPurchase(tenantSlug: string, product: string): Promise<void> {
  const offer = await offerOf(tenantSlug, product);
  const draft = await readDraft(product);
  if (!offer || !draft) redirect(offer ? purchasePaths.form(tenantSlug, product) : `${purchasePaths.catalogue(tenantSlug)}?erreur=produit`);
  const { purchases } = await appContext();
  const address = clientAddress(await headers(), env().RELAIS_TRUSTED_PROXIES);
  let paymentUrl: string | undefined;
  let errors: FieldError[] = [];
  try {
    const receipt = await purchases.purchase(tenantSlug, purchaseBody(draft, offer), address);
    await rememberPurchase(tenantSlug, receipt.reference, receipt.trackingCode);
    paymentUrl = receipt.paymentUrl;
  } catch (error) {
    if (!(error instanceof PaymentNotCreatedYet)) errors = refusalOf(error);
    else {
      // Filed: the return page shows the request, whose payment link comes once PayFiP answers.
      log.warn({ err: error, reference: error.reference }, 'purchase filed before PayFiP created its payment');
      await rememberPurchase(tenantSlug, error.reference, error.trackingCode);
      paymentUrl = purchasePaths.paymentReturn(tenantSlug);
    }
  }
  if (paymentUrl) {
    await forgetDraft(tenantSlug);
    redirect(paymentUrl);
  }
  await keepDraft(tenantSlug, { ...draft, errors });
  redirect(`${purchasePaths.form(tenantSlug, product)}#erreurs`);
}

/** The French reasons of a refused purchase, for the form; a fault of ours is logged and said plainly. */
function refusalOf(error: unknown): FieldError[] {
  if (error instanceof InputError) return error.errors;
  if (error instanceof ConflictError) return [{ path: '', message: error.message }];
  if (error instanceof SpamRefusal) return [error.fieldError];
  if (error instanceof NotFoundError) return [{ path: '', message: 'Ce produit n’est pas en vente en ligne.' }];
  log.error(error, 'purchase failed on the portal');
  return [{ path: '', message: 'Le paiement en ligne est momentanément indisponible. Merci de réessayer dans quelques instants.' }];
}
