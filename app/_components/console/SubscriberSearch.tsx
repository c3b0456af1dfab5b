'use client';

import { useId, useState, type FormEvent } from 'react';
import { callApi } from './api';
import { ConsoleForm } from './ConsoleForm';
import { FormMessage, type FormOutcome } from './FormMessage';
import { formatShortDateTime } from '@/domain/format/french';
import type { SubscriberFilters, SubscriberPage } from '@/domain/subscriptions/subscribers';

/**
 * A list's subscribers: search by e-mail or phone, filter by state and channel, page through; each address opens the
 * subscriber's page with the consent trail. The search travels in a POST body, never in a URL that logs keep.
 */
export function SubscriberSearch({ tenant, initial, timeZone }: { tenant: string; initial: SubscriberPage; timeZone: string }) {
  const id = useId();
  const [page, setPage] = useState(initial);
  const [message, setMessage] = useState<FormOutcome | null>(null);
  const [busy, setBusy] = useState(false);
  const date = (iso: string | null) => (iso ? formatShortDateTime(new Date(iso), timeZone) : '—');

  async function load(filters: SubscriberFilters) {
    setBusy(true);
    const result = await callApi<SubscriberPage>(`/api/v1/t/${tenant}/agent/subscribers`, { method: 'POST', body: filters });
    setBusy(false);
    if (!result.ok) {
      setMessage({ kind: 'error', text: result.message });
      return;
    }
    setPage(result.data);
    setMessage({ kind: 'ok', text: `${result.data.total} abonnement(s) trouvé(s) sur « ${result.data.list.label} ».` });
  }

  function onSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => String(form.get(name) ?? '');
    void load({ liste: field('liste'), q: field('q'), etat: field('etat'), canal: field('canal') });
  }

  const current = { liste: page.list.slug, q: page.filters.q, etat: page.filters.etat, canal: page.filters.canal };
  if (!page.lists.length) return <p>Aucune liste de diffusion pour l’instant.</p>;
  return (
    <>
      <ConsoleForm onSubmit={onSearch} className="filters" aria-label="Recherche d’abonnés">
        <label htmlFor={`${id}-liste`}>Liste</label>
        <select id={`${id}-liste`} name="liste" defaultValue={page.list.slug}>
          {page.lists.map((l) => (
            <option key={l.slug} value={l.slug}>
              {l.label}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-q`}>Adresse électronique ou téléphone</label>
        <input id={`${id}-q`} name="q" type="search" maxLength={320} defaultValue={page.filters.q} autoComplete="off" />
        <label htmlFor={`${id}-etat`}>État</label>
        <select id={`${id}-etat`} name="etat" defaultValue={page.filters.etat}>
          <option value="tous">Tous</option>
          <option value="active">Abonnés</option>
          <option value="pending">En attente de confirmation</option>
          <option value="unsubscribed">Désabonnés</option>
        </select>
        <label htmlFor={`${id}-canal`}>Canal</label>
        <select id={`${id}-canal`} name="canal" defaultValue={page.filters.canal}>
          <option value="tous">Tous</option>
          <option value="sms">SMS</option>
          <option value="email">Courriel</option>
        </select>
        <button type="submit" disabled={busy}>
          Rechercher
        </button>
      </ConsoleForm>
      <FormMessage message={message} />
      {page.rows.length ? (
        <table data-testid="subscribers">
          <caption>
            Abonnements de « {page.list.label} » ({page.total}), page {page.page} sur {page.pages}
          </caption>
          <thead>
            <tr>
              <th scope="col">Adresse</th>
              <th scope="col">Canal</th>
              <th scope="col">État</th>
              <th scope="col">Consentement le</th>
              <th scope="col">Consentement donné</th>
              <th scope="col">Désabonné le</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((row) => (
              <tr key={row.subscriptionId}>
                <th scope="row">
                  <a href={`/console/${tenant}/abonnes/${row.subscriberId}`}>{row.address}</a>
                </th>
                <td>{row.channel === 'sms' ? 'SMS' : 'courriel'}</td>
                <td>{row.statusLabel}</td>
                <td>{date(row.consentAt)}</td>
                <td>{row.consentAt ? row.consentMethodLabel : '—'}</td>
                <td>{date(row.unsubscribedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>Aucun abonnement ne correspond à cette recherche.</p>
      )}
      {page.pages > 1 ? (
        <nav aria-label="Pages" className="actions">
          <button type="button" disabled={busy || page.page <= 1} onClick={() => load({ ...current, page: String(page.page - 1) })}>
            Page précédente
          </button>
          <button type="button" disabled={busy || page.page >= page.pages} onClick={() => load({ ...current, page: String(page.page + 1) })}>
            Page suivante
          </button>
        </nav>
      ) : null}
    </>
  );
}
