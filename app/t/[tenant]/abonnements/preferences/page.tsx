import type { Metadata } from 'next';
import { displayPhone } from '@/domain/contact/phone';
import { NotFoundError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import { portalTenant } from '@/app/t/_lib/tenant';
import { savePreferences } from '../actions';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Mes abonnements' };

type Search = Promise<Record<string, string | undefined>>;

const STATUS_LABELS = { active: 'abonné(e)', pending: 'en attente de confirmation', unsubscribed: 'désabonné(e)', none: 'non abonné(e)' } as const;

/** A subscriber's lists, reached by the signed link of every message: tick to join, untick to leave. */
export default async function PreferencesPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Search }) {
  const { tenant: slug } = await params;
  const search = await searchParams;
  const tenant = await portalTenant(slug);
  const token = search.jeton ?? '';
  const { subscriptions } = await appContext();
  const preferences = await subscriptions.preferences(tenant.slug, token).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  if (!preferences) {
    return (
      <main id="contenu" className="portal-main" tabIndex={-1}>
        <h1>Lien non valable</h1>
        <p>Ce lien ne correspond à aucun abonné. Utilisez le lien complet reçu dans un message de la commune.</p>
      </main>
    );
  }
  const address = preferences.channel === 'sms' ? displayPhone(preferences.address) : preferences.address;
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>Mes abonnements</h1>
      {search.enregistre ? (
        <div className="notice notice-success" role="status">
          <p>Vos choix sont enregistrés.</p>
        </div>
      ) : null}
      <p>
        Listes de {tenant.name} reçues {preferences.channel === 'sms' ? 'par SMS au' : 'par courriel à'} {address}. Décochez une liste pour ne plus la recevoir.
      </p>
      <form action={savePreferences.bind(null, tenant.slug, token)}>
        <fieldset>
          <legend>Listes</legend>
          {preferences.lists.map((list) => (
            <div key={list.slug} className="checkbox">
              <input type="checkbox" id={`liste-${list.slug}`} name="listes" value={list.slug} defaultChecked={list.status === 'active'} />
              <label htmlFor={`liste-${list.slug}`}>
                {list.label} <span className="hint">({STATUS_LABELS[list.status]})</span>
                {list.description ? <span className="hint"> — {list.description}</span> : null}
              </label>
            </div>
          ))}
        </fieldset>
        <button type="submit" className="button">
          Enregistrer mes choix
        </button>
      </form>
    </main>
  );
}
