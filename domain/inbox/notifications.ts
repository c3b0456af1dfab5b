// The case page's Notifications panel: every e-mail and SMS sent about a request, and the e-mails it came by.
import type { EntityManager } from '@mikro-orm/postgresql';
import { InboundEmail, Notification, SmsMessage, type InboundAttachmentRecord } from '@/domain/entities';
import type { CitizenTemplate } from '@/domain/notifications/templates';

/** The messages to the citizen an agent may send again, by their template. */
export const CITIZEN_TEMPLATES: readonly CitizenTemplate[] = ['acknowledgement', 'state_changed', 'information_requested', 'answer'];

/** French names of the messages, e-mail and SMS alike. */
export const MESSAGE_TEMPLATE_LABELS: Record<string, string> = {
  acknowledgement: 'Accusé de réception',
  state_changed: 'Changement d’état',
  information_requested: 'Demande de complément',
  information_requested_link: 'Demande de complément',
  answer: 'Réponse',
  answer_link: 'Réponse',
  payment_receipt: 'Reçu de paiement',
  stop_confirmation: 'Confirmation de désinscription des SMS',
  new_request: 'Nouvelle demande (au service)',
  transferred: 'Transfert (au service)',
  reminder: 'Relance (au service)',
};

/** The citizen template behind an SMS variant (the long answer goes as a link). */
export function citizenTemplateOf(template: string | undefined): CitizenTemplate | undefined {
  const base = template?.replace(/_link$/, '');
  return CITIZEN_TEMPLATES.find((t) => t === base);
}

/** One e-mail or SMS of the panel. */
export interface CaseMessage {
  id: string;
  channel: 'email' | 'sms';
  recipient: string;
  template: string;
  templateLabel: string;
  /** The citizen template it carried, when it was a message to the citizen (those may be resent). */
  citizenTemplate?: CitizenTemplate;
  /** The state a state-change message announced (from its idempotency key). */
  announcedState?: string;
  /** When it was created, ISO. */
  at: string;
  status: string;
  /** Where it stands, in plain French. */
  statusLabel: string;
  /** The server's reply line or the error, as the server wrote it. */
  detail?: string;
}

/** Where an e-mail stands, in plain French; the bounce names its status code and the remote server's text. */
export function emailStatusLabel(n: Pick<Notification, 'status' | 'error' | 'bounceStatus' | 'smtpResponse'>): string {
  switch (n.status) {
    case 'pending':
    case 'sending':
      return 'En attente';
    case 'sent':
      return 'Accepté par le serveur de messagerie';
    case 'delivered':
      return 'Distribué';
    case 'bounced':
      return `Rejeté par le serveur du destinataire (${[n.bounceStatus, n.error].filter(Boolean).join(' ') || 'sans détail'})`;
    case 'uncertain':
      return 'Incertain (interrompu pendant l’envoi)';
    case 'failed':
      return `Échec : ${n.error ?? 'erreur inconnue'}`;
    default:
      return n.status;
  }
}

/** Where an SMS stands, in plain French. */
export function smsStatusLabel(m: Pick<SmsMessage, 'status' | 'error'>): string {
  switch (m.status) {
    case 'queued':
      return 'En attente';
    case 'submitted':
      return 'Envoyé au centre SMS';
    case 'delivered':
      return 'Distribué';
    case 'expired':
      return `Échec : ${m.error ?? 'non distribué dans le délai de validité'}`;
    case 'failed':
      return `Échec : ${m.error ?? 'refusé par le réseau'}`;
    case 'unknown':
      return 'Incertain (accusé de réception illisible)';
    default:
      return m.status;
  }
}

/** Every e-mail and SMS sent about a request of this tenant, newest first. */
export async function caseMessages(em: EntityManager, tenantId: string, requestId: string): Promise<CaseMessage[]> {
  const [emails, sms] = await Promise.all([
    em.fork().find(Notification, { tenant: tenantId, request: requestId }, { orderBy: { createdAt: 'desc' } }),
    em.fork().find(SmsMessage, { tenant: tenantId, request: requestId }, { orderBy: { createdAt: 'desc' } }),
  ]);
  const messages: CaseMessage[] = [
    ...emails.map((n) => ({
      id: n.id,
      channel: 'email' as const,
      recipient: n.recipient,
      template: n.template,
      templateLabel: MESSAGE_TEMPLATE_LABELS[n.template] ?? n.template,
      citizenTemplate: citizenTemplateOf(n.template),
      announcedState: announcedState(n.template, n.idempotencyKey),
      at: n.createdAt.toISOString(),
      status: n.status,
      statusLabel: emailStatusLabel(n),
      detail: n.status === 'sent' || n.status === 'delivered' ? (n.smtpResponse ?? undefined) : undefined,
    })),
    ...sms.map((m) => ({
      id: m.id,
      channel: 'sms' as const,
      recipient: m.recipient,
      template: m.template ?? '',
      templateLabel: MESSAGE_TEMPLATE_LABELS[m.template ?? ''] ?? 'SMS',
      citizenTemplate: citizenTemplateOf(m.template),
      announcedState: announcedState(m.template ?? '', m.idempotencyKey),
      at: m.createdAt.toISOString(),
      status: m.status,
      statusLabel: smsStatusLabel(m),
    })),
  ];
  return messages.sort((a, b) => b.at.localeCompare(a.at));
}

// The workflow keys state messages `…:state:<state>`.
function announcedState(template: string, key: string): string | undefined {
  return template === 'state_changed' ? /:state:([a-z_]+)$/.exec(key)?.[1] : undefined;
}

/** An e-mail the request came by (or a reply filed on it), as the "Courriel reçu" block shows it. */
export interface CaseInboundEmail {
  id: string;
  receivedAt: string;
  from: string;
  fromName?: string;
  subject?: string;
  outcome: string;
  /** SPF, DKIM and DMARC results, each in French. */
  checks: Array<{ name: 'SPF' | 'DKIM' | 'DMARC'; result: string; label: string }>;
  refusedAttachments: Array<{ name: string; reason: string }>;
  keptAttachments: number;
}

const AUTH_RESULT_LABELS: Record<string, string> = {
  pass: 'réussi',
  fail: 'échec',
  softfail: 'échec partiel',
  neutral: 'neutre',
  none: 'absent',
  temperror: 'erreur temporaire',
  permerror: 'erreur permanente',
  policy: 'refusé par la politique',
};

/** The French reading of an SPF, DKIM or DMARC result. */
export function authResultLabel(result: string): string {
  return AUTH_RESULT_LABELS[result.toLowerCase()] ?? (result ? result : 'non vérifié');
}

/** The e-mails a request came by, oldest first. */
export async function caseInboundEmails(em: EntityManager, tenantId: string, requestId: string): Promise<CaseInboundEmail[]> {
  const rows = await em.fork().find(InboundEmail, { tenant: tenantId, request: requestId }, { orderBy: { receivedAt: 'asc' } });
  return rows
    .filter((row) => row.outcome !== 'bounce')
    .map((row) => {
      const auth = row.auth ?? {};
      const attachments: InboundAttachmentRecord[] = Array.isArray(row.attachments) ? row.attachments : [];
      return {
        id: row.id,
        receivedAt: row.receivedAt.toISOString(),
        from: row.fromAddress ?? row.envelopeFrom ?? 'expéditeur inconnu',
        fromName: row.fromName ?? undefined,
        subject: row.subject ?? undefined,
        outcome: row.outcome,
        checks: (['spf', 'dkim', 'dmarc'] as const).map((key) => {
          const result = typeof auth[key] === 'string' ? (auth[key] as string) : '';
          return { name: key.toUpperCase() as 'SPF' | 'DKIM' | 'DMARC', result, label: authResultLabel(result) };
        }),
        refusedAttachments: attachments.filter((a) => a.refusedReason).map((a) => ({ name: a.name, reason: a.refusedReason! })),
        keptAttachments: attachments.filter((a) => !a.refusedReason).length,
      };
    });
}
