import type { SinkMessage } from '@/dev/mail-sink/mail-sink';
import { tenantMailKeys } from '@/domain/notifications/mail-keys';
import { AdministratorsOnly, devViewer } from '@/app/dev/_server/viewer';
import { formatDateTimeWithSeconds } from '@/domain/format/french';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Courriels de développement' };

/** Reads the development SMTP sink: the messages Relais sent for the administrator's municipality, newest first. */
export default async function DevMailPage() {
  const { principal, em, tools } = await devViewer('mailSinkUrl');
  if (!principal) return <AdministratorsOnly title="Courriels de développement" />;
  // Every message carries its idempotency key (X-Relais-Key): the tenant's notifications and password resets name it.
  const keys = await tenantMailKeys(em, principal.tenantId);
  const all = (await (await fetch(`${tools.mailSinkUrl}/messages`, { cache: 'no-store' })).json()) as SinkMessage[];
  const messages = all.filter((m) => keys.has(m.headers['x-relais-key'] ?? '')).reverse();
  return (
    <main id="contenu">
      <h1>Courriels de développement — {principal.tenantName}</h1>
      <p className="dev-banner">Vue de développement : le collecteur SMTP local garde les messages ; rien n’est envoyé à l’extérieur.</p>
      <p>{messages.length} message(s) envoyé(s) pour votre commune.</p>
      {messages.map((m) => (
        <article key={m.id} className="card">
          <h2>{m.subject ?? '(sans objet)'}</h2>
          <p>
            <strong>À :</strong> {m.envelopeTo.join(', ')} — <strong>De :</strong> {m.from} — <time dateTime={m.receivedAt}>{formatDateTimeWithSeconds(new Date(m.receivedAt))}</time>
          </p>
          <pre className="mail">{m.text}</pre>
        </article>
      ))}
    </main>
  );
}
