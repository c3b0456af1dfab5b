'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { callApi } from './api';

/** One e-mail or SMS of the request, as the panel shows it (plain data from the server). */
export interface PanelMessage {
  id: string;
  channel: 'email' | 'sms';
  recipient: string;
  templateLabel: string;
  /** Already formatted in the tenant's time zone. */
  when: string;
  status: string;
  statusLabel: string;
  detail?: string;
  /** The other channel it may be resent through (the citizen gave that contact), when the agent may act. */
  resendBy?: 'email' | 'sms';
}

const CHANNEL_LABELS = { email: 'Courriel', sms: 'SMS' } as const;
const RESEND_LABELS = { email: 'Renvoyer par courriel', sms: 'Renvoyer par SMS' } as const;

/** Every e-mail and SMS sent for the request, with where each stands, and a resend through the other channel. */
export function NotificationsPanel({ tenant, reference, messages }: { tenant: string; reference: string; messages: PanelMessage[] }) {
  const router = useRouter();
  const [feedback, setFeedback] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const feedbackRef = useRef<HTMLParagraphElement>(null);

  async function resend(message: PanelMessage) {
    setBusy(true);
    const result = await callApi<{ message: string }>(`/api/v1/t/${tenant}/agent/requests/${reference}/notifications/resend`, {
      method: 'POST',
      body: { message: message.id, channel: message.resendBy },
    });
    setBusy(false);
    setFeedback(result.ok ? { kind: 'ok', text: `${result.data.message}.` } : { kind: 'error', text: result.message });
    feedbackRef.current?.focus();
    if (result.ok) router.refresh();
  }

  return (
    <section aria-labelledby="notifications-title" className="card" data-testid="notifications-panel">
      <h2 id="notifications-title">Notifications</h2>
      <p ref={feedbackRef} tabIndex={-1} role={feedback?.kind === 'error' ? 'alert' : 'status'} className={feedback ? `alert ${feedback.kind}` : 'visually-hidden'}>
        {feedback?.text}
      </p>
      {messages.length ? (
        <table>
          <caption className="visually-hidden">Courriels et SMS envoyés pour cette demande</caption>
          <thead>
            <tr>
              <th scope="col">Message</th>
              <th scope="col">Destinataire</th>
              <th scope="col">État</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id} data-status={m.status}>
                <td>
                  {m.templateLabel}
                  <br />
                  <small className="muted">
                    {CHANNEL_LABELS[m.channel]}, {m.when}
                  </small>
                </td>
                <td className="wrap-anywhere">{m.recipient}</td>
                <td className="wrap-anywhere">
                  {m.statusLabel}
                  {m.detail ? (
                    <>
                      <br />
                      <small className="muted">
                        Réponse du serveur : <code>{m.detail}</code>
                      </small>
                    </>
                  ) : null}
                  {m.resendBy ? (
                    <p>
                      <button type="button" className="secondary" disabled={busy} onClick={() => void resend(m)} aria-label={`${RESEND_LABELS[m.resendBy]} : ${m.templateLabel} du ${m.when}`}>
                        {RESEND_LABELS[m.resendBy]}
                      </button>
                    </p>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">Aucun courriel ni SMS n’a été envoyé pour cette demande.</p>
      )}
    </section>
  );
}
