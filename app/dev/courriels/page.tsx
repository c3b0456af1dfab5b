import type { SinkMessage } from '../../../dev/mail-sink';
import { env } from '../../../domain/env';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Courriels de développement' };

/** Reads the development SMTP sink: every message Relais sent, newest first. */
export default async function DevMailPage() {
  const sinkUrl = env().MAIL_SINK_URL;
  if (!sinkUrl) {
    return (
      <main id="contenu">
        <h1>Courriels de développement</h1>
        <p>Le collecteur de courriels n’est pas actif : les messages partent vers le serveur SMTP configuré (SMTP_URL).</p>
      </main>
    );
  }
  const messages = ((await (await fetch(`${sinkUrl}/messages`, { cache: 'no-store' })).json()) as SinkMessage[]).reverse();
  return (
    <main id="contenu">
      <h1>Courriels de développement</h1>
      <p>{messages.length} message(s) reçu(s) par le collecteur SMTP local. Rien n’est envoyé à l’extérieur.</p>
      {messages.map((m) => (
        <article key={m.id} className="card">
          <h2>{m.subject ?? '(sans objet)'}</h2>
          <p>
            <strong>À :</strong> {m.envelopeTo.join(', ')} — <strong>De :</strong> {m.from} — <time dateTime={m.receivedAt}>{new Date(m.receivedAt).toLocaleString('fr-FR', { timeZone: 'Europe/Paris' })}</time>
          </p>
          <pre className="mail">{m.text}</pre>
        </article>
      ))}
    </main>
  );
}
