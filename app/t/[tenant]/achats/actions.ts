'use server';

import { redirect } from 'next/navigation';
import { findProductOffer } from '@/domain/payments/catalogue';
import type { FieldError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import { keepDraft, purchaseBody, purchasePaths, purchaseRefusal, type PurchaseDraft } from '@/app/t/_lib/purchase';

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
    errors = purchaseRefusal(error);
  }
  await keepDraft(tenantSlug, { ...draft, ...(errors.length ? { errors } : {}) });
  redirect(errors.length ? `${purchasePaths.form(tenantSlug, product)}#erreurs` : purchasePaths.summary(tenantSlug, product));
}
