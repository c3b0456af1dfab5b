'use client';

import { useId, useState, type FormEvent } from 'react';
import { ConsoleForm } from './ConsoleForm';
import type { PersonalData, PersonSummary } from '@/domain/privacy/personal-data';
import { callApi } from './api';
import { FormMessage, type FormOutcome } from './FormMessage';
import { formatShortDateTime } from '@/domain/format/french';
import { CONSENT_EVENT_LABELS, SUBSCRIPTION_STATUS_LABELS, consentMethodLabel } from '@/domain/subscriptions/consent-labels';

type Person = { email: string } | { phone: string };

const dateTime = (iso: string | null) => (iso ? formatShortDateTime(new Date(iso)) : '—');

function personOf(text: string): Person {
  const value = text.trim();
  return value.includes('@') ? { email: value } : { phone: value };
}

/** Downloads a POST answer as a file (the person's identifier travels in the body, never in a URL that logs keep). */
async function download(url: string, body: Person): Promise<string | null> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
    if (!response.ok) return (await response.json().catch(() => null))?.error ?? `Erreur ${response.status}`;
    const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'donnees-personnelles';
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    return null;
  } catch {
    return 'Le serveur ne répond pas : vérifiez votre connexion puis réessayez.';
  }
}

/** Citizens' rights: find a person by e-mail or phone, see and export what is held, erase it with a reason. */
export function PersonalDataScreen({ tenant }: { tenant: string }) {
  const id = useId();
  const api = `/api/v1/t/${tenant}/agent/personal-data`;
  const [person, setPerson] = useState<Person | null>(null);
  const [summary, setSummary] = useState<PersonSummary | null>(null);
  const [detail, setDetail] = useState<PersonalData | null>(null);
  const [message, setMessage] = useState<FormOutcome | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [eraseMessage, setEraseMessage] = useState<FormOutcome | null>(null);
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function search(target: Person) {
    const result = await callApi<PersonSummary>(`${api}/search`, { method: 'POST', body: target });
    if (!result.ok) {
      setFieldError(result.errors?.[0]?.message ?? null);
      setMessage({ kind: 'error', text: result.message });
      setSummary(null);
      return;
    }
    setFieldError(null);
    setPerson(target);
    setSummary(result.data);
    setDetail(null);
    const n = result.data.counts.requests;
    setMessage({ kind: 'ok', text: n ? `${n} demande(s) trouvée(s) pour cette personne.` : 'Aucune demande pour cette personne dans votre commune.' });
  }

  async function onSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setEraseMessage(null);
    await search(personOf(String(new FormData(event.currentTarget).get('person') ?? '')));
  }

  async function onView() {
    if (!person) return;
    const result = await callApi<PersonalData>(`${api}/view`, { method: 'POST', body: person });
    if (result.ok) setDetail(result.data);
    else setMessage({ kind: 'error', text: result.message });
  }

  async function onExport(format: 'json' | 'pdf') {
    if (!person) return;
    setBusy(true);
    const error = await download(`${api}/export-${format}`, person);
    setBusy(false);
    setMessage(error ? { kind: 'error', text: error } : { kind: 'ok', text: `Export ${format.toUpperCase()} téléchargé.` });
  }

  async function onErase(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!person) return;
    const form = new FormData(event.currentTarget);
    setBusy(true);
    const result = await callApi<{ message: string }>(`${api}/erase`, {
      method: 'POST',
      body: { ...person, reason: String(form.get('reason') ?? ''), confirmOpen: form.get('confirmOpen') === 'on' },
    });
    setBusy(false);
    if (!result.ok) {
      setReasonError(result.errors?.find((e) => e.path === '/reason')?.message ?? null);
      setEraseMessage({ kind: 'error', text: result.message });
      return;
    }
    setReasonError(null);
    await search(person);
    setEraseMessage({ kind: 'ok', text: result.data.message });
  }

  const open = summary?.requests.filter((r) => r.open) ?? [];
  return (
    <>
      <ConsoleForm onSubmit={onSearch} className="card stack" aria-labelledby={`${id}-search`} noValidate>
        <h2 id={`${id}-search`}>Rechercher une personne</h2>
        <label htmlFor={`${id}-person`}>Adresse électronique ou numéro de téléphone</label>
        <small id={`${id}-hint`} className="muted">
          Le numéro est reconnu sous toutes ses formes : 06 12 34 56 78, +33 6 12 34 56 78…
        </small>
        <input
          id={`${id}-person`}
          name="person"
          required
          autoComplete="off"
          aria-describedby={[`${id}-hint`, fieldError ? `${id}-error` : ''].filter(Boolean).join(' ')}
          aria-invalid={fieldError ? true : undefined}
        />
        {fieldError ? (
          <span id={`${id}-error`} className="alert error">
            {fieldError}
          </span>
        ) : null}
        <div className="row">
          <button type="submit">Rechercher</button>
        </div>
        <FormMessage message={message} />
      </ConsoleForm>

      {summary && person ? (
        <section aria-labelledby={`${id}-held`} className="stack">
          <h2 id={`${id}-held`}>Données détenues</h2>
          <p>
            {summary.counts.requests} demande(s) dont {summary.counts.openRequests} en cours, {summary.counts.notifications} message(s) envoyé(s), {summary.counts.smsSent} SMS
            envoyé(s), {summary.counts.smsReceived} SMS reçu(s), {summary.counts.emailsReceived} courriel(s) reçu(s), {summary.counts.attachments} pièce(s) jointe(s), {summary.counts.documents} document(s), {summary.counts.subscriptions} abonnement(s) à des listes de
            diffusion, {summary.counts.campaignMessages} message(s) de campagne.
          </p>
          {summary.requests.length ? (
            <table>
              <caption className="visually-hidden">Demandes de la personne</caption>
              <thead>
                <tr>
                  <th scope="col">Référence</th>
                  <th scope="col">Thème</th>
                  <th scope="col">Service</th>
                  <th scope="col">Reçue le</th>
                  <th scope="col">Close le</th>
                  <th scope="col">État</th>
                </tr>
              </thead>
              <tbody>
                {summary.requests.map((r) => (
                  <tr key={r.reference} data-reference={r.reference}>
                    <td>
                      <a href={`/console/${tenant}/demandes/${encodeURIComponent(r.reference)}`}>{r.reference}</a>
                    </td>
                    <td>{r.topic}</td>
                    <td>{r.department}</td>
                    <td>{dateTime(r.receivedAt)}</td>
                    <td>{dateTime(r.closedAt)}</td>
                    <td>{r.stateLabel}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <div className="row">
            <button type="button" onClick={onView}>
              Afficher le détail
            </button>
            <button type="button" onClick={() => onExport('json')} disabled={busy}>
              Télécharger l’export JSON
            </button>
            <button type="button" onClick={() => onExport('pdf')} disabled={busy}>
              Télécharger l’export PDF
            </button>
          </div>
          {detail ? <Detail data={detail} /> : null}

          <ConsoleForm onSubmit={onErase} className="card stack" aria-labelledby={`${id}-erase`} noValidate>
            <h2 id={`${id}-erase`}>Effacer les données de cette personne</h2>
            <p>
              Les demandes sont anonymisées immédiatement : nom, coordonnées, textes, réponses aux formulaires, pièces jointes et documents disparaissent ; le thème, le service, les
              dates et les états restent pour les statistiques. Les abonnements aux listes de diffusion et leurs preuves de consentement sont supprimés, et l’adresse disparaît des
              rapports de campagne. Une opposition aux SMS (STOP) est conservée, pour qu’aucun SMS ne soit plus envoyé à ce numéro. Cette action est définitive et inscrite au
              journal d’audit.
            </p>
            {open.length ? (
              <div className="alert error stack" id={`${id}-open`}>
                <p>
                  Cette personne a {open.length} demande(s) en cours ({open.map((r) => r.reference).join(', ')}). Une fois effacée, une demande en cours reste dans la liste des
                  demandes, anonymisée : elle ne peut plus recevoir de réponse, faute de coordonnées.
                </p>
                <label className="inline">
                  <input type="checkbox" name="confirmOpen" /> Je confirme l’effacement, y compris des demandes en cours
                </label>
              </div>
            ) : null}
            <label htmlFor={`${id}-reason`}>Motif de l’effacement (obligatoire)</label>
            <small id={`${id}-reason-hint`} className="muted">
              Par exemple « Demande écrite de la personne du 3 décembre ». Sans nom ni coordonnées : le motif est conservé dans le journal d’audit.
            </small>
            <textarea
              id={`${id}-reason`}
              name="reason"
              required
              rows={3}
              aria-describedby={[`${id}-reason-hint`, reasonError ? `${id}-reason-error` : ''].filter(Boolean).join(' ')}
              aria-invalid={reasonError ? true : undefined}
            />
            {reasonError ? (
              <span id={`${id}-reason-error`} className="alert error">
                {reasonError}
              </span>
            ) : null}
            <div className="row">
              <button type="submit" disabled={busy}>
                Effacer les données
              </button>
            </div>
            <FormMessage message={eraseMessage} />
          </ConsoleForm>
        </section>
      ) : null}
    </>
  );
}

/** Everything held, as the export holds it, for a reading on screen. */
function Detail({ data }: { data: PersonalData }) {
  return (
    <div className="stack">
      {data.requests.map((r) => (
        <article key={r.reference} className="card stack">
          <h3>
            Demande {r.reference} — {r.subject}
          </h3>
          <dl>
            {Object.entries(r.citizen ?? {}).map(([key, value]) => (
              <div key={key}>
                <dt>{{ name: 'Nom', email: 'Adresse électronique', phone: 'Téléphone', postalAddress: 'Adresse postale' }[key] ?? key}</dt>
                <dd>{String(value)}</dd>
              </div>
            ))}
            <div>
              <dt>Message</dt>
              <dd className="pre">{r.message}</dd>
            </div>
            {r.answer ? (
              <div>
                <dt>Réponse</dt>
                <dd className="pre">{r.answer}</dd>
              </div>
            ) : null}
            {Object.entries(r.formData ?? {}).map(([key, value]) => (
              <div key={key}>
                <dt>Formulaire : {key}</dt>
                <dd>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</dd>
              </div>
            ))}
          </dl>
          {r.attachments.length ? <p>Pièces jointes : {r.attachments.map((a) => a.name).join(', ')}</p> : null}
          {r.documents.length ? <p>Documents : {r.documents.map((d) => d.fileName).join(', ')}</p> : null}
        </article>
      ))}
      {data.notifications.length ? (
        <article className="card">
          <h3>Messages envoyés</h3>
          <ul>
            {data.notifications.map((n, i) => (
              <li key={i}>
                {dateTime(n.createdAt)} — {n.channel} à {n.recipient} : {n.subject ?? n.template}
              </li>
            ))}
          </ul>
        </article>
      ) : null}
      {data.smsSent.length || data.smsReceived.length ? (
        <article className="card">
          <h3>SMS</h3>
          <ul>
            {data.smsSent.map((s, i) => (
              <li key={`out-${i}`}>
                {dateTime(s.createdAt)} — envoyé à {s.recipient} : {s.text}
              </li>
            ))}
            {data.smsReceived.map((s, i) => (
              <li key={`in-${i}`}>
                {dateTime(s.receivedAt)} — reçu de {s.sender} : {s.text}
              </li>
            ))}
          </ul>
        </article>
      ) : null}
      {data.subscriptions.length ? (
        <article className="card">
          <h3>Abonnements aux listes de diffusion</h3>
          <ul>
            {data.subscriptions.map((sub) => (
              <li key={`${sub.list}-${sub.channel}`}>
                {sub.listLabel} ({sub.channel === 'sms' ? 'SMS' : 'courriel'}, {SUBSCRIPTION_STATUS_LABELS[sub.status] ?? sub.status}) :{' '}
                {sub.trail.map((e) => `${CONSENT_EVENT_LABELS[e.kind] ?? e.kind} le ${dateTime(e.at)} ${consentMethodLabel(e.method)}`).join(' ; ') || 'aucun événement enregistré'}
              </li>
            ))}
          </ul>
        </article>
      ) : null}
      {data.campaignMessages.length ? (
        <article className="card">
          <h3>Messages de campagne</h3>
          <ul>
            {data.campaignMessages.map((m, i) => (
              <li key={`campaign-${i}`}>
                {m.sentAt ? dateTime(m.sentAt) : 'non envoyé'} — « {m.campaign} » ({m.list}) à {m.address}
              </li>
            ))}
          </ul>
        </article>
      ) : null}
      {data.emailsReceived.length ? (
        <article className="card">
          <h3>Courriels reçus</h3>
          <ul>
            {data.emailsReceived.map((e, i) => (
              <li key={`mail-${i}`}>
                {dateTime(e.receivedAt)} — de {e.from ?? 'expéditeur effacé'} : {e.subject || '(sans objet)'}
              </li>
            ))}
          </ul>
        </article>
      ) : null}
    </div>
  );
}
