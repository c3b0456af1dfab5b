import type { Metadata } from 'next';
import Link from 'next/link';
import { formatFrenchDateTime, formatEuros, formatNumber } from '@/domain/format/french';
import { paymentOnReturn } from '@/domain/payments/return';
import { publicRequestView, type PublicPayment } from '@/domain/tracking/public-view';
import { NotFoundError } from '@/domain/validation';
import { paymentProviderFor } from '@/integrations/payment';
import { appContext } from '@/app/_server/context';
import { signalPaymentSettled } from '@/app/_server/payments';
import { purchasePaths, rememberedPurchase } from '@/app/t/_lib/purchase';
import { portalPaths, portalTenant } from '@/app/t/_lib/tenant';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Résultat de votre paiement', referrer: 'no-referrer' };

const OUTCOMES: Record<PublicPayment['state'], { title: string; text: string; success?: boolean; error?: boolean }> = {
  paid: { title: 'Paiement accepté', text: 'Votre paiement a été accepté. Merci ! Votre commande est confirmée.', success: true },
  refused: { title: 'Paiement refusé', text: 'Votre banque a refusé le paiement : aucune somme n’a été prélevée et votre commande est annulée.', error: true },
  abandoned: { title: 'Paiement abandonné', text: 'Vous avez abandonné le paiement : aucune somme n’a été prélevée et votre commande est annulée.', error: true },
  expired: { title: 'Délai de paiement dépassé', text: 'Le délai pour payer est dépassé : votre commande est annulée et les places sont remises en vente.', error: true },
  pending: { title: 'Paiement en cours de vérification', text: 'Le résultat de votre paiement n’est pas encore connu. Il arrive en général en quelques instants : actualisez cette page.' },
  created: { title: 'Paiement en préparation', text: 'Le service de paiement n’a pas encore répondu. Actualisez cette page dans quelques instants.' },
};

/**
 * Where PayFiP sends the citizen back (`urlredirect?idop=…`). The page never trusts the return: an open payment is
 * checked with PayFiP here, as a notification would be, so it shows the real state whichever comes first; without an
 * `idop` (a bank that did not answer) the purchase remembered by this browser is shown.
 */
export default async function PaymentReturnPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const tenant = await portalTenant((await params).tenant);
  const { idop } = await searchParams;
  const { orm } = await appContext();
  const em = orm.em.fork();
  const remembered = await rememberedPurchase();
  let payment: PublicPayment | undefined;
  let reference: string | undefined;
  const back = await paymentOnReturn(em, tenant.slug, idop, paymentProviderFor);
  if (back) {
    ({ payment } = back);
    reference = back.requestReference;
    // The workflow asks PayFiP itself; the signal only spares it waiting for its next poll.
    if (back.settlement) await signalPaymentSettled(em, back.settlement);
  } else if (remembered) {
    const view = await publicRequestView(em, tenant.slug, remembered.reference, remembered.code).catch((error) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    payment = view?.payment;
    reference = view?.reference;
  }
  const code = remembered && remembered.reference === reference ? remembered.code : undefined;
  const refresh = `${purchasePaths.paymentReturn(tenant.slug)}${idop ? `?idop=${encodeURIComponent(idop)}` : ''}`;

  if (!payment) {
    return (
      <main id="contenu" className="portal-main" tabIndex={-1}>
        <h1>Résultat de votre paiement</h1>
        <div className="notice" role="status">
          <p>
            {reference
              ? 'Votre commande est enregistrée ; le lien de paiement n’est pas encore prêt. Actualisez cette page dans quelques instants.'
              : 'Nous ne trouvons pas ce paiement. Retrouvez votre commande avec la référence et le code de suivi reçus par courriel.'}
          </p>
        </div>
        <p>
          {reference ? <Link href={refresh}>Actualiser</Link> : null} <Link href={portalPaths.lookup(tenant.slug)}>Suivre une demande</Link>
        </p>
      </main>
    );
  }
  const outcome = OUTCOMES[payment.state];
  const at = (iso: string) => formatFrenchDateTime(new Date(iso), tenant.timeZone);
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>{outcome.title}</h1>
      <div className={`notice${outcome.success ? ' notice-success' : outcome.error ? ' notice-error' : ''}`} role="status" data-payment-state={payment.state}>
        <p>{outcome.text}</p>
      </div>
      <dl className="receipt" aria-label="Votre paiement">
        {reference ? (
          <div>
            <dt>Commande</dt>
            <dd className="nowrap">{reference}</dd>
          </div>
        ) : null}
        {payment.product ? (
          <div>
            <dt>Produit</dt>
            <dd>
              {formatNumber(payment.quantity)} × {payment.product.label}
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Montant</dt>
          <dd>{formatEuros(payment.amount)}</dd>
        </div>
        <div>
          <dt>État du paiement</dt>
          <dd>{payment.stateLabel}</dd>
        </div>
        <div>
          <dt>Référence du paiement</dt>
          <dd className="nowrap">{payment.reference}</dd>
        </div>
        {payment.paidAt ? (
          <div>
            <dt>Payé le</dt>
            <dd>{at(payment.paidAt)}</dd>
          </div>
        ) : (
          <div>
            <dt>À payer avant le</dt>
            <dd>{at(payment.expiresAt)}</dd>
          </div>
        )}
        {payment.authorisation ? (
          <div>
            <dt>Numéro d’autorisation</dt>
            <dd>{payment.authorisation}</dd>
          </div>
        ) : null}
      </dl>
      <ul>
        {payment.state === 'pending' || payment.state === 'created' ? (
          <li>
            <Link href={refresh}>Actualiser</Link>
          </li>
        ) : null}
        {payment.paymentUrl && payment.state === 'pending' ? (
          <li>
            <a href={payment.paymentUrl}>Reprendre le paiement ({formatEuros(payment.amount)})</a>
          </li>
        ) : null}
        {outcome.error && payment.product ? (
          <li>
            <Link href={purchasePaths.form(tenant.slug, payment.product.slug)}>Commander à nouveau</Link>
          </li>
        ) : null}
        {reference && code ? (
          <li>
            <Link href={portalPaths.tracking(tenant.slug, reference, code)}>Suivre ma commande</Link>
          </li>
        ) : (
          <li>
            <Link href={portalPaths.lookup(tenant.slug)}>Suivre une demande</Link> avec la référence et le code reçus par courriel
          </li>
        )}
      </ul>
    </main>
  );
}
