'use client';

import { useRouter } from 'next/navigation';
import { ConsoleForm } from './ConsoleForm';
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
  /**
   * For a request that follows a process: its current step and the actions the step allows (the workflow's
   * `currentStep` query), which decide the buttons; absent, the request's state and kind decide them.
   */
  step?: { label: string; actions: string[]; takenInCharge: boolean };
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
  const working = open && reachable && props.canWork && props.state !== 'awaiting_validation';
  /** Whether to offer an action: the process step's list when there is one (and the agent may act), else the classic rule. */
  const offers = (action: string, classic: boolean): boolean => {
    if (!props.step) return classic;
    if (!props.step.actions.includes(action)) return false;
    return action === 'approve' || action === 'return' ? props.canValidate : props.canWork;
  };
  const takeCharge = props.step ? offers('open', false) && !props.step.takenInCharge && !props.anonymised : props.canTakeCharge;
  const validation = offers('approve', props.state === 'awaiting_validation' && props.canValidate && reachable) || offers('return', props.state === 'awaiting_validation' && props.canValidate);
  const answering = offers('save-draft', working);
  const decision = props.registration && !props.step ? 'l’inscription' : 'la demande';

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

      {props.step ? (
        <p className="alert info" data-testid="process-step">
          Étape en cours : <strong>{props.step.label}</strong>
        </p>
      ) : null}

      {takeCharge ? (
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

      {validation ? (
        <div className="card">
          <h3>Validation</h3>
          <p>Réponse proposée :</p>
          <blockquote className="pre">{props.draft}</blockquote>
          {offers('approve', reachable) ? (
            <button type="button" disabled={busy} onClick={() => run('approve')}>
              Approuver et envoyer
            </button>
          ) : null}
          <ConsoleForm onSubmit={submitForm('return', ['comment'])} className="stack">
            <label>
              Commentaire pour le rédacteur
              <textarea name="comment" rows={3} required />
            </label>
            <button type="submit" className="secondary" disabled={busy}>
              Renvoyer avec ce commentaire
            </button>
          </ConsoleForm>
        </div>
      ) : null}

      {answering ? (
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
            {props.step ? (
              <>
                {offers('submit', false) ? (
                  <button type="button" disabled={busy} onClick={() => run('submit', { body: answer })}>
                    Soumettre à validation
                  </button>
                ) : null}
                {offers('answer', false) ? (
                  <button type="button" disabled={busy} onClick={() => run('answer', { body: answer })}>
                    Terminer la réponse
                  </button>
                ) : null}
              </>
            ) : props.validationRequired ? (
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

      <>
          {offers('transfer', working) ? (
          <ConsoleForm onSubmit={submitForm('transfer', ['department', 'note'])} className="card stack">
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
          </ConsoleForm>
          ) : null}
          {offers('accept', working && props.registration) ? (
              <ConsoleForm onSubmit={submitForm('accept', ['message'])} className="card stack">
                <h3>Accepter {decision}</h3>
                <label>
                  Message au citoyen (facultatif)
                  <textarea name="message" rows={2} />
                </label>
                <button type="submit" disabled={busy}>
                  {props.step ? 'Accepter' : 'Accepter et transmettre au logiciel métier'}
                </button>
              </ConsoleForm>
          ) : null}
          {offers('reject', working && props.registration) ? (
              <ConsoleForm onSubmit={submitForm('reject', ['reason'])} className="card stack">
                <h3>Refuser {decision}</h3>
                <label>
                  Motif communiqué au citoyen
                  <textarea name="reason" rows={2} required />
                </label>
                <button type="submit" className="secondary" disabled={busy}>
                  Refuser
                </button>
              </ConsoleForm>
          ) : null}
          {offers('ask-citizen', working) ? (
          <ConsoleForm onSubmit={submitForm('ask-citizen', ['question'])} className="card stack">
            <h3>Demander un complément au citoyen</h3>
            <label>
              Question
              <textarea name="question" rows={3} required />
            </label>
            <button type="submit" className="secondary" disabled={busy}>
              Envoyer la question
            </button>
          </ConsoleForm>
          ) : null}
      </>

      {offers('note', props.canWork) ? (
        <ConsoleForm onSubmit={submitForm('note', ['text'])} className="card stack">
          <h3>Note interne</h3>
          <label>
            Note (jamais visible du citoyen)
            <textarea name="text" rows={2} required />
          </label>
          <button type="submit" className="secondary" disabled={busy}>
            Ajouter la note
          </button>
        </ConsoleForm>
      ) : null}

      {offers('refund', false) ? (
        <ConsoleForm onSubmit={submitForm('refund', ['amount', 'reason'])} className="card stack" aria-labelledby="remboursement">
          <h3 id="remboursement">Enregistrer un remboursement</h3>
          <p className="muted">
            PayFiP ne permet pas de rembourser un paiement : la régie rembourse le citoyen hors de Relais (virement, mandat). Enregistrez ici ce
            remboursement pour qu’il figure au dossier ; il ne peut dépasser le montant payé en ligne.
          </p>
          <label>
            Montant remboursé (en euros)
            <input name="amount" inputMode="decimal" required pattern="\s*\d{1,6}([,.]\d{1,2})?\s*€?\s*" placeholder="12,50" />
          </label>
          <label>
            Motif
            <textarea name="reason" rows={2} required />
          </label>
          <button type="submit" className="secondary" disabled={busy}>
            Enregistrer le remboursement
          </button>
        </ConsoleForm>
      ) : null}

      {offers('close', props.canWork && props.state !== 'closed' && props.state !== 'rejected' && props.state !== 'awaiting_validation') ? (
        <p>
          <button type="button" className="danger" disabled={busy} onClick={() => run('close')}>
            Clore la demande
          </button>
        </p>
      ) : null}
    </section>
  );
}
