import { revalidatePath } from 'next/cache';
import { smscControlClient } from '@/dev/smsc-simulator/control';
import { recentReceivedSms, recentSentSms } from '@/domain/sms/recent';
import { AdministratorsOnly, devViewer } from '@/app/dev/_server/viewer';
import { formatDateTimeWithSeconds } from '@/domain/format/french';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'SMS de développement' };

const STATUS_LABELS: Record<string, string> = {
  queued: 'En file',
  submitted: 'Transmis à l’opérateur',
  delivered: 'Remis',
  failed: 'Échec',
  expired: 'Expiré',
  unknown: 'Inconnu',
};

const OUTCOME_LABELS: Record<string, string> = {
  received: 'En cours',
  request: 'Nouvelle demande',
  reply: 'Réponse à une demande',
  opt_out: 'Désinscription (STOP)',
  unknown_number: 'Numéro inconnu',
  refused: 'Refusé',
};

/** Sends an SMS "from a mobile" through the development SMSC; the worker handles it like a real one. */
async function injectMo(form: FormData): Promise<void> {
  'use server';
  // A server action can be posted from any page: it checks the simulator and the administrator itself.
  const { principal, tools } = await devViewer('smscControlUrl');
  const from = String(form.get('from') ?? '').trim();
  const to = String(form.get('to') ?? '').trim();
  const text = String(form.get('text') ?? '');
  if (!principal || !from || !to || !tools.smscControlUrl) return;
  await smscControlClient(tools.smscControlUrl).injectMo({ from, to, text });
  revalidatePath('/dev/sms');
}

const when = (date: Date) => formatDateTimeWithSeconds(new Date(date));

/** The administrator's municipality's recent outgoing and incoming SMS, and a form that simulates a citizen's SMS. */
export default async function DevSmsPage() {
  const { principal, em } = await devViewer('smscControlUrl');
  if (!principal) return <AdministratorsOnly title="SMS de développement" />;
  const [sent, received] = await Promise.all([recentSentSms(em.fork(), principal.tenantId), recentReceivedSms(em.fork(), principal.tenantId)]);
  return (
    <main id="contenu">
      <h1>SMS de développement — {principal.tenantName}</h1>
      <p className="dev-banner">Vue de développement : le simulateur d’opérateur (SMSC) local reçoit les SMS envoyés par Relais. Rien ne part vers un vrai téléphone.</p>

      <section className="card" aria-labelledby="simuler">
        <h2 id="simuler">Simuler un SMS d’un citoyen</h2>
        <form action={injectMo}>
          <p>
            <label htmlFor="from">Numéro du mobile</label>
            <br />
            <input id="from" name="from" defaultValue="06 12 34 56 78" required />
          </p>
          <p>
            <label htmlFor="to">Numéro de la commune</label>
            <br />
            <input id="to" name="to" defaultValue="36180" required />
          </p>
          <p>
            <label htmlFor="text">Texte (commencez par un mot-clé comme MAIRE, ou envoyez STOP)</label>
            <br />
            <textarea id="text" name="text" rows={3} cols={60} defaultValue="MAIRE Bonjour, un lampadaire est en panne rue des Lilas." />
          </p>
          <button type="submit">Envoyer le SMS</button>
        </form>
      </section>

      <h2>SMS reçus ({received.length})</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Reçu le</th>
            <th scope="col">De</th>
            <th scope="col">À</th>
            <th scope="col">Texte</th>
            <th scope="col">Traitement</th>
          </tr>
        </thead>
        <tbody>
          {received.map((sms, index) => (
            <tr key={index}>
              <td>{when(sms.receivedAt)}</td>
              <td>{sms.sender}</td>
              <td>{sms.recipient}</td>
              <td>{sms.text}</td>
              <td>
                {OUTCOME_LABELS[sms.outcome] ?? sms.outcome}
                {sms.reference ? ` (${sms.reference})` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>SMS envoyés ({sent.length})</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Créé le</th>
            <th scope="col">Destinataire</th>
            <th scope="col">Expéditeur</th>
            <th scope="col">Texte</th>
            <th scope="col">Segments</th>
            <th scope="col">État</th>
            <th scope="col">Demande</th>
          </tr>
        </thead>
        <tbody>
          {sent.map((sms, index) => (
            <tr key={index}>
              <td>{when(sms.createdAt)}</td>
              <td>{sms.recipient}</td>
              <td>{sms.sender}</td>
              <td>{sms.text}</td>
              <td>{sms.segmentCount}</td>
              <td>{STATUS_LABELS[sms.status] ?? sms.status}</td>
              <td>{sms.reference ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
