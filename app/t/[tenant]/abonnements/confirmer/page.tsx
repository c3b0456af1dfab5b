import type { Metadata } from 'next';
import Link from 'next/link';
import { appContext } from '@/app/_server/context';
import { portalTenant } from '@/app/t/_lib/tenant';
import { confirmEmailSubscription } from '../actions';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Confirmer votre abonnement' };

type Search = Promise<Record<string, string | undefined>>;

/**
 * The page the double opt-in e-mail links to. Opening it confirms nothing (mail scanners follow links): the citizen
 * presses the button, which records the consent with its time and address.
 */
export default async function ConfirmSubscriptionPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Search }) {
  const { tenant: slug } = await params;
  const search = await searchParams;
  const tenant = await portalTenant(slug);
  const token = search.jeton ?? '';
  const { subscriptions } = await appContext();
  const summary = await subscriptions.linkSummary(tenant.slug, 'confirm', token);
  if (!summary || search.erreur === 'lien') {
    return (
      <main id="contenu" className="portal-main" tabIndex={-1}>
        <h1>Lien non valable</h1>
        <p>Ce lien de confirmation est incomplet ou ne correspond à aucun abonnement. Copiez le lien complet reçu par courriel.</p>
      </main>
    );
  }
  const preferences = `/t/${tenant.slug}/abonnements/preferences?jeton=${encodeURIComponent(summary.preferencesToken)}`;
  if (summary.status === 'active') {
    return (
      <main id="contenu" className="portal-main" tabIndex={-1}>
        <div className="notice notice-success" role="status">
          <h1>Abonnement confirmé</h1>
          <p>Vous recevrez désormais « {summary.listLabel} » par courriel. Chaque message contient un lien pour vous désabonner.</p>
        </div>
        <p>
          <Link href={preferences}>Gérer mes abonnements</Link>
        </p>
      </main>
    );
  }
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>Confirmer votre abonnement</h1>
      {search.erreur === 'expire' ? (
        <div className="notice notice-error" role="alert">
          <p>Ce lien de confirmation n’est plus valable. Abonnez-vous à nouveau pour en recevoir un autre.</p>
        </div>
      ) : null}
      <p>
        Vous avez demandé à recevoir « {summary.listLabel} » de {tenant.name} par courriel. Confirmez pour recevoir les prochains messages ; vous pourrez
        vous désabonner à tout moment.
      </p>
      <form action={confirmEmailSubscription.bind(null, tenant.slug, token)}>
        <button type="submit" className="button">
          Confirmer mon abonnement
        </button>
      </form>
    </main>
  );
}
