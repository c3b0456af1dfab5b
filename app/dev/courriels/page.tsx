import { redirect } from 'next/navigation';
import type { SinkMessage } from '@/dev/mail-sink/mail-sink';
import { ListenerUnreachable, SmtpRefusal, sendToListener } from '@/dev/mail-sink/to-listener';
import { env } from '@/domain/env';
import { tenantMailKeys } from '@/domain/notifications/mail-keys';
import { AdministratorsOnly, devViewer } from '@/app/dev/_server/viewer';
import { formatDateTimeWithSeconds } from '@/domain/format/french';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Courriels de développement' };

/** Sends an e-mail "from a citizen" to the inbound SMTP listener; the page then shows the listener's reply. */
async function sendAsCitizen(form: FormData): Promise<void> {
  'use server';
  // A server action can be posted from any page: it checks the sink (development stack) and the administrator itself.
  const { principal } = await devViewer('mailSinkUrl');
  if (!principal) return;
  const port = env().RELAIS_INBOUND_SMTP_PORT;
  const field = (name: string) => String(form.get(name) ?? '').trim();
  let result: string;
  if (!port) {
    result = 'Erreur : le récepteur de courriels ne tourne pas (RELAIS_INBOUND_SMTP_PORT n’est pas défini).';
  } else {
    try {
      const reply = await sendToListener({ host: '127.0.0.1', port }, { from: field('from'), to: [field('to')], subject: field('subject'), text: String(form.get('text') ?? '') });
      result = `Courriel accepté par le récepteur : ${reply.response}`;
    } catch (error) {
      if (error instanceof SmtpRefusal) result = `Erreur : le récepteur a refusé le courriel (${error.response}).`;
      else if (error instanceof ListenerUnreachable) result = `Erreur : le récepteur de courriels ne répond pas sur le port ${port}.`;
      else throw error;
    }
  }
  redirect(`/dev/courriels?envoi=${encodeURIComponent(result)}`);
}

/** Reads the development SMTP sink: the messages Relais sent for the administrator's municipality, newest first. */
export default async function DevMailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { principal, em, tools } = await devViewer('mailSinkUrl');
  const sent = (await searchParams).envoi;
  const sendResult = typeof sent === 'string' ? sent.slice(0, 500) : undefined;
  if (!principal) return <AdministratorsOnly title="Courriels de développement" />;
  // Every message carries its idempotency key (X-Relais-Key): the tenant's notifications and password resets name it.
  const keys = await tenantMailKeys(em, principal.tenantId);
  const all = (await (await fetch(`${tools.mailSinkUrl}/messages`, { cache: 'no-store' })).json()) as SinkMessage[];
  const messages = all.filter((m) => keys.has(m.headers['x-relais-key'] ?? '')).reverse();
  return (
    <main id="contenu">
      <h1>Courriels de développement — {principal.tenantName}</h1>
      <p className="dev-banner">Vue de développement : le collecteur SMTP local garde les messages ; rien n’est envoyé à l’extérieur.</p>
      <section className="card" aria-labelledby="ecrire">
        <h2 id="ecrire">Écrire comme un citoyen</h2>
        <p>Le courriel est remis par SMTP au récepteur de Relais, comme le ferait le serveur de messagerie d’un habitant.</p>
        {sendResult ? (
          <p role={sendResult.startsWith('Erreur') ? 'alert' : 'status'} className={`alert ${sendResult.startsWith('Erreur') ? 'error' : 'ok'}`}>
            {sendResult}
          </p>
        ) : null}
        <form action={sendAsCitizen}>
          <p>
            <label htmlFor="from">De</label>
            <br />
            <input id="from" name="from" type="email" defaultValue="jeanne.martin@exemple.fr" required size={40} />
          </p>
          <p>
            <label htmlFor="to">À (adresse de la commune)</label>
            <br />
            <input id="to" name="to" type="email" defaultValue={`${principal.tenantSlug}@${env().INBOUND_MAIL_DOMAIN}`} required size={40} />
          </p>
          <p>
            <label htmlFor="subject">Objet</label>
            <br />
            <input id="subject" name="subject" defaultValue="Lampadaire en panne rue des Lilas" size={60} />
          </p>
          <p>
            <label htmlFor="text">Texte</label>
            <br />
            <textarea id="text" name="text" rows={5} cols={60} defaultValue={'Bonjour,\n\nle lampadaire devant le 12 rue des Lilas ne s’allume plus depuis trois jours.\n\nJeanne Martin'} />
          </p>
          <button type="submit">Envoyer le courriel</button>
        </form>
      </section>
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
