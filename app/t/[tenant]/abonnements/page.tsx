import type { Metadata } from 'next';
import { appContext } from '@/app/_server/context';
import { listPublicLists } from '@/domain/subscriptions/lists';
import { portalTenant } from '@/app/t/_lib/tenant';
import { requestPortalSubscription } from './actions';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'S’abonner aux alertes' };

type Search = Promise<Record<string, string | undefined>>;

const ERRORS: Record<string, string> = {
  '': 'Indiquez une adresse électronique ou un numéro de mobile.',
  '/list': 'Choisissez une liste.',
  '/email': 'L’adresse électronique est invalide, ou cette liste n’est pas proposée par courriel.',
  '/phone': 'Le numéro de mobile est invalide, ou cette liste n’est pas proposée par SMS.',
  limite: 'Vous avez envoyé beaucoup de demandes en peu de temps. Merci de réessayer dans une heure.',
};

/** The portal's subscription form: a list, an e-mail address and/or a mobile number; each is confirmed before use. */
export default async function SubscribePage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Search }) {
  const { tenant: slug } = await params;
  const search = await searchParams;
  const tenant = await portalTenant(slug);
  const { orm } = await appContext();
  const lists = await listPublicLists(orm.em.fork(), tenant.slug);
  const errors = (search.erreur ?? '').split(',').filter((key) => search.erreur !== undefined && key in ERRORS);
  if (search.erreur === '') errors.push('');
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>S’abonner aux alertes et informations</h1>
      {search.envoye ? (
        <div className="notice notice-success" role="status">
          <p>Un courriel de confirmation vient de vous être envoyé. Ouvrez le lien qu’il contient pour activer votre abonnement.</p>
        </div>
      ) : null}
      {errors.length ? (
        <div className="notice notice-error" role="alert">
          <ul>
            {errors.map((key) => (
              <li key={key}>{ERRORS[key]}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <p>
        Recevez les messages de {tenant.name} par courriel ou par SMS. Votre abonnement n’est actif qu’après confirmation (lien par courriel, code par SMS) ; vous
        pouvez vous désabonner à tout moment.
      </p>
      <form action={requestPortalSubscription.bind(null, tenant.slug)}>
        <fieldset>
          <legend>Liste</legend>
          {lists.map((list, index) => (
            <div key={list.slug} className="radio">
              <input type="radio" id={`liste-${list.slug}`} name="liste" value={list.slug} defaultChecked={search.liste ? search.liste === list.slug : index === 0} required />
              <label htmlFor={`liste-${list.slug}`}>
                {list.label} <span className="hint">({list.channels.map((c) => (c === 'sms' ? 'SMS' : 'courriel')).join(' ou ')})</span>
                {list.description ? <span className="hint"> — {list.description}</span> : null}
              </label>
            </div>
          ))}
        </fieldset>
        <label htmlFor="email">Adresse électronique (facultatif)</label>
        <input id="email" name="email" type="email" autoComplete="email" maxLength={254} />
        <label htmlFor="telephone">Numéro de mobile (facultatif)</label>
        <input id="telephone" name="telephone" type="tel" autoComplete="tel" maxLength={40} />
        <div className="honeypot" aria-hidden="true">
          <label htmlFor="site">Ne pas remplir</label>
          <input id="site" name="site" tabIndex={-1} autoComplete="off" />
        </div>
        <button type="submit" className="button">
          M’abonner
        </button>
      </form>
    </main>
  );
}
