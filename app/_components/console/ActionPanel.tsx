'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState, type FormEvent } from 'react';
import { callApi } from './api';

/** What the case page knows that decides which actions to offer. */
export interface ActionPanelProps {
  tenant: string;
  reference: string;
  state: string;
  draft: string | null;
  validationComment: string | null;
  canWork: boolean;
  canValidate: boolean;
  validationRequired: boolean;
  /** Registrations are accepted (then exported) or refused rather than answered. */
  registration: boolean;
  /** The citizen's data were erased: nothing can reach them any more, the request is only noted, returned or closed. */
  anonymised: boolean;
  /** The request waits to be taken in charge (received, or transferred to this department) by an agent who may work it. */
  canTakeCharge: boolean;
  /** The municipality tells citizens when their request is taken in charge (settings.citizenNotifications). */
  takeChargeAnnounced: boolean;
  departments: Array<{ slug: string; name: string }>;
  currentDepartment: string;
  templates: Array<{ slug: string; title: string; body: string }>;
  similar: Array<{ reference: string; subject: string; answer: string }>;
}

type Feedback = { kind: 'ok' | 'error'; text: string } | null;

/** Every action of the case page; each one is a workflow update whose result or refusal is shown. */
export function ActionPanel(props: ActionPanelProps) {
  const router = useRouter();
  const [feedback, setFeedback] = useState<Feedback>(null);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState(props.draft ?? '');
  const feedbackRef = useRef<HTMLParagraphElement>(null);
  const open = props.state !== 'answered' && props.state !== 'closed' && props.state !== 'rejected';
  // The actions the server refuses on an anonymised request (domain/inbox/actions.ts) are not offered.
  const reachable = !props.anonymised;

  async function run(action: string, body?: Record<string, unknown>): Promise<boolean> {
    setBusy(true);
    const result = await callApi<{ message: string; state: string }>(`/api/v1/t/${props.tenant}/agent/requests/${props.reference}/actions/${action}`, {
      method: 'POST',
      body: body ?? {},
    });
    setBusy(false);
    setFeedback(result.ok ? { kind: 'ok', text: `${result.data.message}.` } : { kind: 'error', text: result.message });
    feedbackRef.current?.focus();
    if (result.ok) router.refresh();
    return result.ok;
  }

  const submitForm = (action: string, fields: string[], reset = true) => async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const body = Object.fromEntries(fields.map((f) => [f, String(data.get(f) ?? '')]));
    if ((await run(action, body)) && reset) form.reset();
  };

  return (
    <section aria-labelledby="actions-title" className="actions">
      <h2 id="actions-title">Actions</h2>
      <p ref={feedbackRef} tabIndex={-1} role={feedback?.kind === 'error' ? 'alert' : 'status'} className={feedback ? `alert ${feedback.kind}` : 'visually-hidden'}>
        {feedback?.text}
      </p>

      {props.canTakeCharge ? (
        <div className="card">
          <h3>Prise en charge</h3>
          <p>
            Personne n’a encore pris cette demande en charge. La prendre en charge la fait passer à l’état « Traitement en cours »
            {props.takeChargeAnnounced ? ' et le citoyen en est informé par message.' : '.'}
          </p>
          <button type="button" disabled={busy} onClick={() => run('open')}>
            Prendre en charge
          </button>
        </div>
      ) : null}

      {props.anonymised && open && props.canWork ? (
        <p className="alert warning">Les données personnelles du demandeur ont été effacées : cette demande ne peut plus recevoir de réponse ni être transférée. Clôturez-la.</p>
      ) : null}

      {props.state === 'awaiting_validation' && props.canValidate ? (
        <div className="card">
          <h3>Validation</h3>
          <p>Réponse proposée :</p>
          <blockquote className="pre">{props.draft}</blockquote>
          {reachable ? (
            <button type="button" disabled={busy} onClick={() => run('approve')}>
              Approuver et envoyer
            </button>
          ) : null}
          <form onSubmit={submitForm('return', ['comment'])} className="stack">
            <label>
              Commentaire pour le rédacteur
              <textarea name="comment" rows={3} required />
            </label>
            <button type="submit" className="secondary" disabled={busy}>
              Renvoyer avec ce commentaire
            </button>
          </form>
        </div>
      ) : null}

      {open && reachable && props.canWork && props.state !== 'awaiting_validation' ? (
        <div className="card">
          <h3>Réponse au citoyen</h3>
          {props.validationComment ? (
            <p className="alert warning">
              <strong>Commentaire du valideur :</strong> {props.validationComment}
            </p>
          ) : null}
          {props.templates.length ? (
            <div className="row">
              <label>
                Modèle de réponse
                <select id="template" defaultValue="">
                  <option value="">— Choisir un modèle —</option>
                  {props.templates.map((t) => (
                    <option key={t.slug} value={t.slug}>
                      {t.title}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  const slug = (document.getElementById('template') as HTMLSelectElement).value;
                  const template = props.templates.find((t) => t.slug === slug);
                  if (template) setAnswer(template.body);
                }}
              >
                Insérer le modèle
              </button>
            </div>
          ) : null}
          <label>
            Texte de la réponse
            <textarea name="body" rows={10} value={answer} onChange={(e) => setAnswer(e.target.value)} />
          </label>
          <div className="row">
            <button type="button" className="secondary" disabled={busy} onClick={() => run('save-draft', { body: answer })}>
              Enregistrer le brouillon
            </button>
            {props.validationRequired ? (
              <button type="button" disabled={busy} onClick={() => run('submit', { body: answer })}>
                Soumettre à validation
              </button>
            ) : (
              <>
                <button type="button" className="secondary" disabled={busy} onClick={() => run('submit', { body: answer })}>
                  Soumettre à validation
                </button>
                <button type="button" disabled={busy} onClick={() => run('answer', { body: answer })}>
                  Envoyer la réponse
                </button>
              </>
            )}
          </div>
          {props.similar.length ? (
            <details open>
              <summary>Réponses à des demandes voisines ({props.similar.length})</summary>
              <ul className="similar">
                {props.similar.map((s) => (
                  <li key={s.reference}>
                    <a href={`/console/${props.tenant}/demandes/${s.reference}`}>
                      {s.reference} — {s.subject}
                    </a>
                    <p className="pre muted">{s.answer.slice(0, 300)}{s.answer.length > 300 ? '…' : ''}</p>
                    <button type="button" className="secondary small" onClick={() => setAnswer(s.answer)} aria-label={`Réutiliser la réponse de ${s.reference}`}>
                      Réutiliser cette réponse
                    </button>
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </div>
      ) : null}

      {open && reachable && props.canWork && props.state !== 'awaiting_validation' ? (
        <>
          <form onSubmit={submitForm('transfer', ['department', 'note'])} className="card stack">
            <h3>Transférer à un autre service</h3>
            <label>
              Service destinataire
              <select name="department" required defaultValue="">
                <option value="">— Choisir —</option>
                {props.departments
                  .filter((d) => d.slug !== props.currentDepartment)
                  .map((d) => (
                    <option key={d.slug} value={d.slug}>
                      {d.name}
                    </option>
                  ))}
              </select>
            </label>
            <label>
              Message pour ce service (facultatif)
              <textarea name="note" rows={2} />
            </label>
            <button type="submit" className="secondary" disabled={busy}>
              Transférer
            </button>
          </form>
          {props.registration ? (
            <>
              <form onSubmit={submitForm('accept', ['message'])} className="card stack">
                <h3>Accepter l’inscription</h3>
                <label>
                  Message au citoyen (facultatif)
                  <textarea name="message" rows={2} />
                </label>
                <button type="submit" disabled={busy}>
                  Accepter et transmettre au logiciel métier
                </button>
              </form>
              <form onSubmit={submitForm('reject', ['reason'])} className="card stack">
                <h3>Refuser l’inscription</h3>
                <label>
                  Motif communiqué au citoyen
                  <textarea name="reason" rows={2} required />
                </label>
                <button type="submit" className="secondary" disabled={busy}>
                  Refuser
                </button>
              </form>
            </>
          ) : null}
          <form onSubmit={submitForm('ask-citizen', ['question'])} className="card stack">
            <h3>Demander un complément au citoyen</h3>
            <label>
              Question
              <textarea name="question" rows={3} required />
            </label>
            <button type="submit" className="secondary" disabled={busy}>
              Envoyer la question
            </button>
          </form>
        </>
      ) : null}

      {props.canWork ? (
        <form onSubmit={submitForm('note', ['text'])} className="card stack">
          <h3>Note interne</h3>
          <label>
            Note (jamais visible du citoyen)
            <textarea name="text" rows={2} required />
          </label>
          <button type="submit" className="secondary" disabled={busy}>
            Ajouter la note
          </button>
        </form>
      ) : null}

      {props.canWork && props.state !== 'closed' && props.state !== 'rejected' && props.state !== 'awaiting_validation' ? (
        <p>
          <button type="button" className="danger" disabled={busy} onClick={() => run('close')}>
            Clore la demande
          </button>
        </p>
      ) : null}
    </section>
  );
}
