import type { Metadata } from 'next';
import type { CurrentStep } from '@/domain/processes/workflow-contract';
import { notFound } from 'next/navigation';
import { auditCaseView } from '@/domain/audit/events';
import { actorOf } from '@/domain/auth/roles';
import { displayPhone } from '@/domain/contact/phone';
import { env } from '@/domain/env';
import { caseInboundEmails, caseMessages, type CaseInboundEmail, type CaseMessage } from '@/domain/inbox/notifications';
import { otherChannel } from '@/domain/inbox/resend';
import { filledTemplates, getRequestDetail, similarAnswered, type RequestDetail } from '@/domain/inbox/detail';
import { departmentChoices } from '@/domain/inbox/choices';
import { caseRecords } from '@/domain/inbox/records';
import { consoleActionsOf, REFUSED_WHEN_ANONYMISED } from '@/domain/inbox/actions';
import { temporalRequestCommands } from '@/temporal/request-commands';
import { appTemporalClient } from '@/app/_server/context';
import { CHANNEL_LABELS, STATE_LABELS } from '@/domain/states';
import { Tenant } from '@/domain/entities';
import { formatFrenchDateTime } from '@/domain/format/french';
import { NotFoundError } from '@/domain/validation';
import { ActionPanel } from '@/app/_components/console/ActionPanel';
import { ConsoleShell } from '@/app/_components/console/ConsoleShell';
import { NotificationsPanel, type PanelMessage } from '@/app/_components/console/NotificationsPanel';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Demande' };

const EVENT_LABELS: Record<string, string> = {
  received: 'Demande reçue',
  opened: 'Prise en charge',
  draft_saved: 'Brouillon enregistré',
  submitted_for_validation: 'Soumise à validation',
  approved: 'Réponse validée',
  returned: 'Réponse renvoyée au rédacteur',
  transferred: 'Transférée',
  information_requested: 'Complément demandé au citoyen',
  citizen_replied: 'Réponse du citoyen',
  citizen_message: 'Message du citoyen',
  answered: 'Réponse envoyée',
  note: 'Note interne',
  reminder_sent: 'Relance envoyée',
  closed: 'Close',
  closed_automatically: 'Close automatiquement',
  notification_bounced: 'Courriel non distribué',
  notification_delayed: 'Courriel retardé',
  notification_uncertain: 'Envoi incertain (interrompu)',
  notification_resent: 'Message renvoyé au citoyen',
  linked_request: 'Demande liée',
  attachments_refused: 'Pièces jointes non conservées',
  // Events of requests run by a process definition (processWorkflow).
  taken_over: 'Reprise en charge par un autre agent',
  answer_written: 'Réponse rédigée',
  step_entered: 'Étape suivante',
  routed: 'Orientée vers un service',
  route_failed: 'Orientation impossible (service inconnu)',
  registration_accepted: 'Demande acceptée',
  registration_rejected: 'Demande refusée',
  refusal_sent: 'Refus envoyé au citoyen',
  completed: 'Traitement terminé',
  rejected: 'Close (refusée)',
  abandoned: 'Close sans réponse du citoyen',
  information_reminder_sent: 'Relance du citoyen envoyée',
  information_timeout: 'Délai de réponse du citoyen écoulé',
  step_reminder_sent: "Relance sur l'échéance de l'étape",
  wait_over: 'Fin de l’attente',
  wait_date_missing: 'Attente impossible (date absente)',
  payment_requested: 'Paiement demandé',
  payment_received: 'Paiement reçu',
  payment_timeout: 'Paiement non reçu dans le délai',
  payment_unexpected: 'Paiement inattendu',
  receipt_sent: 'Reçu de paiement établi et envoyé',
  receipt_failed: 'Échec du reçu de paiement',
  refund_recorded: 'Remboursement enregistré',
  notification_skipped: 'Message non envoyé (modèle inconnu)',
  document_ready: 'Document établi',
  letter_ready: 'Courrier établi',
  document_failed: 'Échec de l’établissement du document',
  letter_failed: 'Échec de l’établissement du courrier',
  notification_failed: 'Échec de l’envoi du message',
  acknowledgement_failed: 'Échec de l’accusé de réception',
  acknowledgement_letter_failed: 'Échec du courrier d’accusé de réception',
  exported: 'Exportée',
  export_skipped: 'Export non configuré',
  export_failed: 'Échec de l’export',
};

/** The case page: record, citizen, form data, attachments, documents, exports, timeline, and every action. */
export default async function CasePage({ params }: { params: Promise<{ tenant: string; reference: string }> }) {
  const { tenant, reference } = await params;
  const { principal, em } = await consolePage(tenant, 'agent', `/console/${tenant}/demandes/${reference}`);
  let detail: RequestDetail;
  try {
    detail = await getRequestDetail(em, principal.tenantId, reference);
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
  await auditCaseView(em, principal, detail.reference, 'console');
  const actor = actorOf(principal);
  const [templates, similar, departments, records, messages, inbound, settings, step] = await Promise.all([
    filledTemplates(em, principal.tenantId, detail, principal.name),
    similarAnswered(em.fork(), principal.tenantId, detail.id),
    departmentChoices(em.fork(), principal.tenantId),
    caseRecords(em.fork(), { id: principal.tenantId, slug: principal.tenantSlug }, detail),
    caseMessages(em.fork(), principal.tenantId, detail.id),
    caseInboundEmails(em.fork(), principal.tenantId, detail.id),
    em.fork().getRepository(Tenant).settingsOf(principal.tenantId),
    // A process request's buttons come from its current step, asked of its workflow.
    detail.process ? appTemporalClient().then((client) => temporalRequestCommands(client).currentStep(detail.workflowId)) : undefined,
  ]);
  const canWork = actor.isAdmin || actor.departmentIds.includes(detail.department.id);
  const canValidate = actor.isAdmin || actor.validatorOf.includes(detail.originDepartmentId);
  const when = (iso: string) => formatFrenchDateTime(new Date(iso), detail.timeZone);
  const c = detail.citizen;
  // Only a message to the citizen, through a channel they gave, by an agent who may work the request.
  const resendBy = (m: CaseMessage) =>
    canWork && !detail.anonymisedAt && m.citizenTemplate && (m.citizenTemplate !== 'state_changed' || m.announcedState)
      ? otherChannel(m.channel, c, Boolean(env().SMPP_URL))
      : undefined;
  const panelMessages: PanelMessage[] = messages.map((m) => ({
    id: m.id,
    channel: m.channel,
    recipient: m.channel === 'sms' ? displayPhone(m.recipient) : m.recipient,
    templateLabel: m.templateLabel,
    when: when(m.at),
    status: m.status,
    statusLabel: m.statusLabel,
    detail: m.detail,
    resendBy: resendBy(m),
  }));

  return (
    <ConsoleShell principal={principal} current="inbox">
      <p>
        <a href={`/console/${tenant}`}>← Retour aux demandes</a>
      </p>
      <h1>
        {detail.subject} <small className="muted">({detail.reference})</small>
      </h1>
      <p>
        <span className={`badge ${detail.state}`}>{STATE_LABELS[detail.state]}</span>{' '}
        {detail.overdue ? <strong className="alert error">En retard</strong> : null}
      </p>
      {detail.anonymisedAt ? (
        <p className="alert error" role="note">
          Les données personnelles de cette demande ont été effacées le {when(detail.anonymisedAt)} : le demandeur ne peut plus être contacté et aucune réponse ne
          lui parviendra.
        </p>
      ) : null}
      <div className="case">
        <div>
          <section aria-labelledby="facts-title" className="card">
            <h2 id="facts-title">Demande</h2>
            <dl className="facts">
              <dt>Reçue le</dt>
              <dd>{when(detail.receivedAt)}</dd>
              <dt>Échéance</dt>
              <dd>{when(detail.dueAt)}</dd>
              <dt>Canal</dt>
              <dd>{CHANNEL_LABELS[detail.channel]}</dd>
              <dt>Service</dt>
              <dd>{detail.department.name}</dd>
              <dt>Thème</dt>
              <dd>{detail.topic.label}</dd>
              {detail.process ? (
                <>
                  <dt>Processus</dt>
                  <dd>
                    {detail.process.slug} (version {detail.process.version}){step ? ` — étape « ${step.label} »` : ''}
                  </dd>
                </>
              ) : (
                <>
                  <dt>Validation</dt>
                  <dd>{detail.validationRequired ? 'Obligatoire avant envoi' : 'Facultative'}</dd>
                </>
              )}
            </dl>
            <h3>Message</h3>
            <p className="pre">{detail.body}</p>
            {detail.answer ? (
              <>
                <h3>Réponse envoyée</h3>
                <p className="pre">{detail.answer}</p>
              </>
            ) : null}
          </section>
          <section aria-labelledby="citizen-title" className="card">
            <h2 id="citizen-title">Citoyen</h2>
            <dl className="facts">
              <dt>Nom</dt>
              <dd>{c.name || 'Non renseigné'}</dd>
              <dt>Courriel</dt>
              <dd>{c.email || '—'}</dd>
              <dt>Téléphone</dt>
              <dd>{c.phone ? displayPhone(c.phone) : '—'}</dd>
              <dt>Adresse postale</dt>
              <dd className="pre">{c.postalAddress || '—'}</dd>
              <dt>Réponse souhaitée par</dt>
              <dd>{{ email: 'courriel', sms: 'SMS', post: 'courrier postal' }[detail.replyChannel]}</dd>
            </dl>
          </section>
          {inbound.map((mail) => (
            <InboundEmailBlock key={mail.id} mail={mail} when={when} />
          ))}
          <NotificationsPanel tenant={tenant} reference={detail.reference} messages={panelMessages} />
          {detail.formData && Object.keys(detail.formData).length ? (
            <section aria-labelledby="form-title" className="card">
              <h2 id="form-title">Données du formulaire</h2>
              <dl className="facts">
                {Object.entries(detail.formData).map(([key, value]) => (
                  <div key={key} style={{ display: 'contents' }}>
                    <dt>{key}</dt>
                    <dd className="pre">{typeof value === 'object' ? JSON.stringify(value, null, 2) : String(value)}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ) : null}
          {detail.attachments.length ? (
            <section aria-labelledby="files-title" className="card">
              <h2 id="files-title">Pièces jointes</h2>
              <ul>
                {detail.attachments.map((a) => (
                  <li key={a.id}>
                    <a href={`/api/v1/t/${tenant}/agent/requests/${detail.reference}/attachments/${a.id}`}>{a.name}</a> ({Math.ceil(a.size / 1024)} Ko)
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          <section aria-labelledby="documents-title" className="card">
            <h2 id="documents-title">Documents</h2>
            {records.documents.length ? (
              <table>
                <caption className="visually-hidden">Documents PDF produits pour cette demande</caption>
                <thead>
                  <tr>
                    <th scope="col">Document</th>
                    <th scope="col">Date</th>
                    <th scope="col">Diffusion</th>
                    <th scope="col">Fichier</th>
                  </tr>
                </thead>
                <tbody>
                  {records.documents.map((d) => (
                    <tr key={d.id}>
                      <td>{d.kindLabel}</td>
                      <td>{when(d.createdAt)}</td>
                      <td>{d.public ? 'Public (visible par le citoyen)' : 'Interne'}</td>
                      <td>
                        <a href={d.downloadUrl}>{d.fileName}</a> ({Math.ceil(d.size / 1024)} Ko)
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted">Aucun document n’a été produit pour cette demande.</p>
            )}
          </section>
          <section aria-labelledby="exports-title" className="card">
            <h2 id="exports-title">Exports</h2>
            {records.exports.length ? (
              <table>
                <caption className="visually-hidden">Tentatives d’export vers les logiciels métier</caption>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Connecteur</th>
                    <th scope="col">Essai</th>
                    <th scope="col">Statut</th>
                    <th scope="col">Détail</th>
                  </tr>
                </thead>
                <tbody>
                  {records.exports.map((x) => (
                    <tr key={`${x.connector}-${x.target}-${x.attempt}`}>
                      <td>{when(x.at)}</td>
                      <td>
                        {x.connectorLabel}
                        <br />
                        <small className="muted">{x.target}</small>
                      </td>
                      <td>n° {x.attempt}</td>
                      <td>{x.statusLabel}</td>
                      <td>
                        {x.outcome}
                        {x.error ? (
                          <details>
                            <summary>Message technique</summary>
                            <code className="pre">{x.error}</code>
                          </details>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted">Aucun export vers un logiciel métier n’a été tenté pour cette demande.</p>
            )}
          </section>
          <section aria-labelledby="timeline-title" className="card">
            <h2 id="timeline-title">Historique</h2>
            <ol className="timeline">
              {detail.timeline.map((e, i) => (
                <li key={i} className={e.public ? undefined : 'internal'}>
                  <strong>{EVENT_LABELS[e.type] ?? e.type}</strong> — {when(e.at)}
                  {e.actor ? <> — {e.actor}</> : null}
                  {e.public ? null : <span className="muted"> (interne)</span>}
                  <EventText type={e.type} data={e.data} />
                </li>
              ))}
            </ol>
          </section>
        </div>
        <ActionPanel
          tenant={tenant}
          reference={detail.reference}
          state={detail.state}
          draft={detail.draft}
          validationComment={detail.validationComment}
          canWork={canWork}
          canValidate={canValidate}
          validationRequired={detail.validationRequired}
          registration={detail.kind === 'registration'}
          anonymised={detail.anonymisedAt !== null}
          canTakeCharge={canWork && !detail.anonymisedAt && (detail.state === 'received' || detail.state === 'transferred')}
          takeChargeAnnounced={settings?.citizenNotifications.includes('in_progress') ?? false}
          departments={departments}
          currentDepartment={detail.department.slug}
          templates={templates}
          similar={similar.map((s) => ({ reference: s.reference, subject: s.subject, answer: s.answer }))}
          step={step ? { label: step.label, actions: stepActions(step, detail.anonymisedAt !== null), takenInCharge: step.takenInCharge ?? false } : undefined}
        />
      </div>
    </ConsoleShell>
  );
}

/** The actions a process step allows, less those the server refuses once the citizen's data were erased. */
function stepActions(step: CurrentStep, anonymised: boolean): string[] {
  return consoleActionsOf(step).filter((action) => !(anonymised && REFUSED_WHEN_ANONYMISED.has(action)));
}

const INBOUND_OUTCOMES: Record<string, string> = {
  request: 'a créé cette demande',
  reply: 'réponse du citoyen jointe à la demande',
  released: 'libéré de la quarantaine',
  quarantined: 'en quarantaine',
};

/** "Courriel reçu": who wrote, what SPF, DKIM and DMARC said, and the attachments left out with their reasons. */
function InboundEmailBlock({ mail, when }: { mail: CaseInboundEmail; when: (iso: string) => string }) {
  const title = `inbound-${mail.id}`;
  return (
    <section aria-labelledby={title} className="card" data-testid="inbound-email">
      <h2 id={title}>Courriel reçu</h2>
      <dl className="facts">
        <dt>Reçu le</dt>
        <dd>
          {when(mail.receivedAt)}
          {INBOUND_OUTCOMES[mail.outcome] ? <span className="muted"> ({INBOUND_OUTCOMES[mail.outcome]})</span> : null}
        </dd>
        <dt>Expéditeur</dt>
        <dd>{mail.fromName ? `${mail.fromName} <${mail.from}>` : mail.from}</dd>
        {mail.subject ? (
          <>
            <dt>Objet</dt>
            <dd>{mail.subject}</dd>
          </>
        ) : null}
        <dt>Authentification</dt>
        <dd>{mail.checks.map((check) => `${check.name} : ${check.label}`).join(' · ')}</dd>
        <dt>Pièces jointes</dt>
        <dd>
          {mail.keptAttachments} conservée{mail.keptAttachments > 1 ? 's' : ''}
          {mail.refusedAttachments.length ? (
            <ul>
              {mail.refusedAttachments.map((a, i) => (
                <li key={i}>
                  Refusée : {a.name} — {a.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </dd>
      </dl>
    </section>
  );
}

function EventText({ type, data }: { type: string; data: Record<string, unknown> }) {
  const text = { note: data.text, returned: data.comment, information_requested: data.question, citizen_replied: data.body, citizen_message: data.body, answered: data.body, submitted_for_validation: data.body, registration_rejected: data.body, export_failed: data.error, linked_request: data.body, attachments_refused: data.body }[type];
  if (type === 'notification_bounced' || type === 'notification_delayed') {
    return <p className="pre">{`${String(data.recipient ?? '')} — ${String(data.status ?? '')} ${String(data.diagnostic ?? '')}`.trim()}</p>;
  }
  if (type === 'notification_resent') return <p className="pre">{data.channel === 'sms' ? 'Par SMS' : 'Par courriel'}</p>;
  const extra = type === 'transferred' ? `Vers ${String(data.toName ?? data.to)}${data.note ? ` : ${String(data.note)}` : ''}` : type === 'reminder_sent' ? `${String(data.percent)} % du délai` : undefined;
  if (!text && !extra) return null;
  return <p className="pre">{String(text ?? extra)}</p>;
}
