'use client';

import { useState, type FormEvent } from 'react';
import { ConsoleForm } from './ConsoleForm';
import { callApi } from './api';

/** The three decisions on one quarantined e-mail; the server takes each once, whatever the clicks. */
export function QuarantineDecision(props: { tenant: string; id: string; reference?: string; hasSender: boolean; topics: Array<{ slug: string; label: string }> }) {
  const [busy, setBusy] = useState(false);
  const [feedback, setFeedback] = useState<{ kind: 'ok' | 'error'; text: string; reference?: string } | null>(null);

  async function decide(action: string, body: Record<string, string> = {}) {
    setBusy(true);
    const result = await callApi<{ message: string; reference?: string }>(`/api/v1/t/${props.tenant}/agent/quarantine/${props.id}/${action}`, { method: 'POST', body });
    setBusy(false);
    // Decided: the card stays with its outcome (no refresh that would remove it with the message); the list drops it on the next visit.
    setFeedback(result.ok ? { kind: 'ok', text: `${result.data.message}.`, reference: result.data.reference } : { kind: 'error', text: result.message });
  }

  function newRequest(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void decide('new-request', { topic: String(new FormData(event.currentTarget).get('topic') ?? '') });
  }

  if (feedback?.kind === 'ok') {
    return (
      <p role="status" className="alert ok">
        {feedback.text} {feedback.reference ? <a href={`/console/${props.tenant}/demandes/${feedback.reference}`}>Ouvrir la demande {feedback.reference}</a> : null}
      </p>
    );
  }

  return (
    <div className="row">
      {feedback ? (
        <p role="alert" className="alert error">
          {feedback.text}
        </p>
      ) : null}
      {props.reference ? (
        <button type="button" disabled={busy} onClick={() => void decide('attach')}>
          Rattacher à la demande {props.reference}
        </button>
      ) : null}
      {props.hasSender ? (
        <ConsoleForm onSubmit={newRequest} className="row">
          <label>
            Thème
            <select name="topic" required defaultValue="">
              <option value="" disabled>
                Choisir…
              </option>
              {props.topics.map((t) => (
                <option key={t.slug} value={t.slug}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy}>
            Enregistrer comme nouvelle demande
          </button>
        </ConsoleForm>
      ) : null}
      <button type="button" className="secondary" disabled={busy} onClick={() => void decide('reject')}>
        Rejeter
      </button>
    </div>
  );
}
