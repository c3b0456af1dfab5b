import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { formatEuros, formatNumber } from '@/domain/format/french';
import { findProductOffer } from '@/domain/payments/catalogue';
import type { PurchaseQuote } from '@/domain/payments/purchases';
import { InputError, NotFoundError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import { purchaseBody, purchasePaths, readDraft } from '@/app/t/_lib/purchase';
import { portalTenant } from '@/app/t/_lib/tenant';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Récapitulatif de votre commande' };

/** The summary before paying: the amount as the server works it out, then « Payer » sends to PayFiP. */
export default async function PurchaseSummaryPage({ params }: { params: Promise<{ tenant: string; produit: string }> }) {
  const { tenant: slug, produit } = await params;
  const tenant = await portalTenant(slug);
  const { orm, purchases } = await appContext();
  const offer = await findProductOffer(orm.em.fork(), tenant.slug, produit);
  const draft = offer ? await readDraft(offer.slug) : undefined;
  if (!offer || !draft || draft.errors?.length) redirect(offer ? purchasePaths.form(tenant.slug, offer.slug) : purchasePaths.catalogue(tenant.slug));
  let quote: PurchaseQuote | undefined;
  try {
    quote = await purchases.quotePurchase(tenant.slug, purchaseBody(draft, offer));
  } catch (error) {
    if (!(error instanceof InputError || error instanceof NotFoundError)) throw error;
  }
  if (!quote) redirect(purchasePaths.form(tenant.slug, offer.slug));

  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>Récapitulatif de votre commande</h1>
      <dl className="receipt" aria-label="Votre commande">
        <div>
          <dt>Produit</dt>
          <dd>{quote.product.label}</dd>
        </div>
        <div>
          <dt>Quantité</dt>
          <dd>{formatNumber(quote.quantity)}</dd>
        </div>
        <div>
          <dt>Prix unitaire</dt>
          <dd>
            {formatEuros(quote.unitPrice)}
            {quote.bracket ? ` (${quote.bracket})` : ''}
          </dd>
        </div>
        <div>
          <dt>Montant à payer</dt>
          <dd className="receipt-value" data-testid="montant">
            {formatEuros(quote.amount)}
          </dd>
        </div>
        <div>
          <dt>Adresse électronique</dt>
          <dd>{draft.email}</dd>
        </div>
      </dl>
      <p>
        En cliquant sur « Payer », votre commande est enregistrée et {offer.stock !== undefined ? 'vos places vous sont réservées' : 'votre commande vous est réservée'}{' '}
        pendant {quote.paymentMinutes} minutes. Vous êtes dirigé vers PayFiP, le service de paiement sécurisé de la Direction générale des Finances publiques, pour payer par
        carte bancaire. Sans paiement dans ce délai, la commande est annulée.
      </p>
      <form method="post" action={purchasePaths.pay(tenant.slug, offer.slug)}>
        <button type="submit" className="button">
          Payer {formatEuros(quote.amount)}
        </button>{' '}
        <Link href={purchasePaths.form(tenant.slug, offer.slug)} className="button button-secondary">
          Modifier ma commande
        </Link>
      </form>
    </main>
  );
}

