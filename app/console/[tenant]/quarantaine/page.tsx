import type { Metadata } from 'next';
import { actorOf } from '@/domain/auth/roles';
import { Tenant } from '@/domain/entities';
import { formatFrenchDateTime } from '@/domain/format/french';
import { topicChoices } from '@/domain/inbox/choices';
import { listQuarantine } from '@/domain/mail/quarantine';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';
import { ConsoleShell } from '@/app/_components/console/ConsoleShell';
import { QuarantineDecision } from '@/app/_components/console/QuarantineDecision';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Courriels en quarantaine' };

/** The e-mails held back for review: a stranger's reply, a failed authentication, an unreadable sender. */
export default async function QuarantinePage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { principal, em } = await consolePage(tenant, 'agent', `/console/${tenant}/quarantaine`);
  const [emails, topics, settings] = await Promise.all([
    listQuarantine(em, { ...actorOf(principal), tenantId: principal.tenantId }),
    topicChoices(em.fork(), principal.tenantId, { activeOnly: true, fileable: true }),
    em.fork().getRepository(Tenant).settingsOf(principal.tenantId),
  ]);
  const timeZone = settings?.timeZone ?? DEFAULT_TIME_ZONE;
  return (
    <ConsoleShell principal={principal} current="quarantine">
      <h1>Courriels en quarantaine</h1>
      <p>
        Ces courriels n’ont pas été distribués automatiquement. Vérifiez l’expéditeur avant de les rattacher à une demande ou
        de les enregistrer comme nouvelle demande.{' '}
        {principal.isAdmin ? null : 'Vous voyez ceux qui concernent les demandes de vos services.'}
      </p>
      {emails.length === 0 ? <p>Aucun courriel en attente d’examen.</p> : null}
      {emails.map((m) => (
        <article key={m.id} className="card" aria-labelledby={`q-${m.id}`} data-quarantine-id={m.id}>
          <h2 id={`q-${m.id}`}>{m.subject || '(sans objet)'}</h2>
          <dl className="facts">
            <dt>Reçu le</dt>
            <dd>{formatFrenchDateTime(new Date(m.receivedAt), timeZone)}</dd>
            <dt>Expéditeur</dt>
            <dd>
              {m.fromName ? `${m.fromName} ` : ''}
              {m.from ? `<${m.from}>` : 'adresse invalide ou absente'}
              {m.envelopeFrom && m.envelopeFrom !== m.from ? ` (enveloppe : ${m.envelopeFrom})` : ''}
            </dd>
            <dt>Motif</dt>
            <dd>{m.reason}</dd>
            <dt>Authentification</dt>
            <dd>
              SPF : {m.auth.spf} — DKIM : {m.auth.dkim} — DMARC : {m.auth.dmarc}
            </dd>
            <dt>Demande concernée</dt>
            <dd>{m.request ? <a href={`/console/${tenant}/demandes/${m.request.reference}`}>{`${m.request.reference} — ${m.request.subject}`}</a> : 'aucune'}</dd>
            <dt>Pièces jointes</dt>
            <dd>
              {m.attachments.length === 0
                ? 'aucune'
                : m.attachments.map((a) => `${a.name} (${Math.max(1, Math.round(a.size / 1024))} Ko${a.refusedReason ? `, refusée : ${a.refusedReason}` : ''})`).join(', ')}
            </dd>
          </dl>
          <pre className="mail">{m.body || '(courriel sans texte)'}</pre>
          <QuarantineDecision tenant={tenant} id={m.id} reference={m.request?.reference} hasSender={Boolean(m.from)} topics={topics} />
        </article>
      ))}
    </ConsoleShell>
  );
}
