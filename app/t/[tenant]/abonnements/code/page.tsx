import type { Metadata } from 'next';
import Link from 'next/link';
import { appContext } from '@/app/_server/context';
import { portalTenant } from '@/app/t/_lib/tenant';
import { confirmSmsCode } from '../actions';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Saisir le code reçu par SMS' };

type Search = Promise<Record<string, string | undefined>>;

/** Where the citizen types the six-digit code sent by SMS to confirm a subscription. */
export default async function SubscriptionCodePage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Search }) {
  const { tenant: slug } = await params;
  const search = await searchParams;
  const tenant = await portalTenant(slug);
  const token = search.jeton ?? '';
  const { subscriptions } = await appContext();
  const summary = await subscriptions.linkSummary(tenant.slug, 'code', token);
  if (!summary || search.erreur === 'lien') {
    return (
      <main id="contenu" className="portal-main" tabIndex={-1}>
        <h1>Lien non valable</h1>
        <p>Cette page ne correspond à aucune demande d’abonnement. Abonnez-vous à nouveau depuis le portail.</p>
      </main>
    );
  }
  if (summary.status === 'active') {
    return (
      <main id="contenu" className="portal-main" tabIndex={-1}>
        <div className="notice notice-success" role="status">
          <h1>Abonnement confirmé</h1>
          <p>
            Vous recevrez désormais « {summary.listLabel} » par SMS. Pour arrêter, envoyez STOP {summary.listSlug.toUpperCase()} au numéro de la commune.
          </p>
        </div>
        <p>
          <Link href={`/t/${tenant.slug}/abonnements/preferences?jeton=${encodeURIComponent(summary.preferencesToken)}`}>Gérer mes abonnements</Link>
        </p>
      </main>
    );
  }
  const error = search.erreur === 'expire' ? 'Ce code n’est plus valable. Abonnez-vous à nouveau pour en recevoir un autre.' : search.erreur === 'code' ? 'Code incorrect ou mal saisi (6 chiffres). Après 5 erreurs, le code n’est plus valable.' : undefined;
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>Confirmer votre abonnement par SMS</h1>
      {error ? (
        <div className="notice notice-error" role="alert">
          <p>{error}</p>
        </div>
      ) : null}
      <p>Un code à 6 chiffres vient de vous être envoyé par SMS pour la liste « {summary.listLabel} ». Saisissez-le ci-dessous.</p>
      {search.courriel ? <p>Un courriel de confirmation vous a aussi été envoyé : ouvrez son lien pour recevoir la liste par courriel.</p> : null}
      <form action={confirmSmsCode.bind(null, tenant.slug, token)}>
        <label htmlFor="code">Code reçu par SMS</label>
        <input id="code" name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]{6,11}" maxLength={11} required aria-describedby="code-aide" />
        <p id="code-aide" className="hint">6 chiffres, par exemple 123456.</p>
        <button type="submit" className="button">
          Confirmer
        </button>
      </form>
    </main>
  );
}
