import type { Metadata } from 'next';
import Link from 'next/link';
import { appContext } from '@/app/_server/context';
import { portalTenant } from '@/app/t/_lib/tenant';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Se désabonner' };

type Search = Promise<Record<string, string | undefined>>;

/** Where the unsubscription link of an e-mail leads in a browser: one button, posting to the one-click address. */
export default async function UnsubscribePage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Search }) {
  const { tenant: slug } = await params;
  const search = await searchParams;
  const tenant = await portalTenant(slug);
  const token = search.jeton ?? '';
  const { subscriptions } = await appContext();
  const summary = await subscriptions.linkSummary(tenant.slug, 'unsubscribe', token);
  if (!summary) {
    return (
      <main id="contenu" className="portal-main" tabIndex={-1}>
        <h1>Lien non valable</h1>
        <p>Ce lien de désabonnement est incomplet. Utilisez le lien complet reçu dans le message.</p>
      </main>
    );
  }
  const preferences = `/t/${tenant.slug}/abonnements/preferences?jeton=${encodeURIComponent(summary.preferencesToken)}`;
  if (summary.status === 'unsubscribed') {
    return (
      <main id="contenu" className="portal-main" tabIndex={-1}>
        <div className="notice notice-success" role="status">
          <h1>Vous êtes désabonné(e)</h1>
          <p>Vous ne recevrez plus « {summary.listLabel} ».</p>
        </div>
        <p>
          <Link href={preferences}>Gérer mes autres abonnements</Link>
        </p>
      </main>
    );
  }
  const action = `/api/v1/t/${encodeURIComponent(tenant.slug)}/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`;
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>Se désabonner</h1>
      <p>Vous ne recevrez plus « {summary.listLabel} » de {tenant.name}.</p>
      <form method="post" action={action}>
        <input type="hidden" name="List-Unsubscribe" value="One-Click" />
        <button type="submit" className="button">
          Me désabonner
        </button>
      </form>
      <p>
        <Link href={preferences}>Gérer tous mes abonnements</Link>
      </p>
    </main>
  );
}
