import type { EntityManager } from '@mikro-orm/postgresql';
import { CitizenRequest, Payment, type PaymentState, type RequestState } from '@/domain/entities';
import { STATE_LABELS } from '@/domain/states';
import { frenchLongDateTime } from '@/domain/format/french';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';
import { query } from '@/domain/sql';
import { trackingCodeMatches } from '@/domain/tracking-code';
import { NotFoundError } from '@/domain/validation';

/** One public line of a request's history. */
export interface PublicTimelineEntry {
  at: string;
  type: string;
  state?: RequestState;
  label: string;
  text?: string;
}

/** One message the town hall sent the citizen, as the tracking page tells it: "Courriel envoyé le …". */
export interface PublicMessageLine {
  at: string;
  channel: 'email' | 'sms';
  delivered: boolean;
  text: string;
}

/** What a citizen sees of a request, with its reference and code. */
export interface PublicRequestView {
  reference: string;
  state: RequestState;
  stateLabel: string;
  subject: string;
  topic: string;
  department: string;
  receivedAt: string;
  dueAt: string;
  onTime: boolean;
  answer?: string;
  question?: string;
  workflowId: string;
  timeline: PublicTimelineEntry[];
  messages: PublicMessageLine[];
  /** The request's latest payment, when it has one (a purchase, a deposit). */
  payment?: PublicPayment;
}

/** A request's payment as the citizen sees it. */
export interface PublicPayment {
  /** In cents. */
  amount: number;
  currency: string;
  state: PaymentState;
  stateLabel: string;
  /** The debt's reference at PayFiP (refdet), printed on the citizen's bank ticket. */
  reference: string;
  /** The product bought, when the payment is a catalogue purchase. */
  product?: { slug: string; label: string };
  quantity: number;
  /** The page to pay on, while the payment can still be made. */
  paymentUrl?: string;
  expiresAt: string;
  paidAt?: string;
  /** The bank's authorisation number, once paid. */
  authorisation?: string;
}

/** French words for a payment's state. */
export const PAYMENT_STATE_LABELS: Record<PaymentState, string> = {
  created: 'Paiement en préparation',
  pending: 'En attente de paiement',
  paid: 'Payé',
  refused: 'Paiement refusé',
  abandoned: 'Paiement abandonné',
  expired: 'Délai de paiement dépassé',
};

/** French labels of the timeline events a citizen may see. */
export const EVENT_LABELS: Record<string, string> = {
  received: 'Demande reçue',
  opened: 'Prise en charge par nos services',
  transferred: 'Transmise à un autre service',
  information_requested: 'Complément d’information demandé',
  citizen_replied: 'Votre réponse a été reçue',
  citizen_message: 'Votre message a été reçu',
  submitted_for_validation: 'Réponse en cours de validation',
  returned: 'Réponse en cours de rédaction',
  answered: 'Réponse envoyée',
  closed: 'Demande close',
  closed_automatically: 'Demande close',
  registration_accepted: 'Inscription acceptée',
  registration_rejected: 'Inscription refusée',
  document_ready: 'Document établi',
  letter_ready: 'Réponse envoyée par courrier postal',
  linked_request: 'Demande liée',
  attachments_refused: 'Pièces jointes non conservées',
  receipt_sent: 'Reçu de paiement établi',
  refund_recorded: 'Remboursement enregistré',
  payment_requested: 'Paiement demandé',
  payment_received: 'Paiement reçu',
  payment_failed: 'Paiement refusé ou abandonné',
  payment_timeout: 'Délai de paiement dépassé',
  payment_expired: 'Page de paiement expirée',
  payment_unavailable: 'Paiement en ligne indisponible',
  abandoned: 'Demande close',
};

// Text that the citizen wrote or must read; internal notes and drafts are never public.
const PUBLIC_TEXT: Record<string, string> = { information_requested: 'question', citizen_replied: 'body', citizen_message: 'body', answered: 'body', registration_rejected: 'body', linked_request: 'body', attachments_refused: 'body' };

/** The public view of a request; 404 for an unknown reference or a wrong code alike, so codes cannot be probed. */
export async function publicRequestView(em: EntityManager, tenantSlug: string, reference: string, code: string | null): Promise<PublicRequestView> {
  const [row] = await query<{
    id: string;
    reference: string;
    state: RequestState;
    subject: string;
    topic: string;
    department: string;
    received_at: Date;
    due_at: Date;
    answered_at: Date | null;
    answer: string | null;
    tracking_code_hash: string;
    workflow_id: string;
    time_zone: string | null;
  }>(
    em,
    `select r.id, r.reference, r.state, r.subject, tp.label as topic, d.name as department, r.received_at, r.due_at, r.answered_at,
            r.answer, r.tracking_code_hash, r.workflow_id, t.settings->>'timeZone' as time_zone
       from request r join tenant t on t.id = r.tenant_id join topic tp on tp.id = r.topic_id join department d on d.id = r.department_id
      where t.slug = ? and r.reference = ?`,
    [tenantSlug, reference],
  );
  if (!row || !code || !trackingCodeMatches(code, row.tracking_code_hash)) throw new NotFoundError('Unknown request or wrong code');
  const events = await query<{ created_at: Date; type: string; state: RequestState | null; data: Record<string, unknown> }>(
    em,
    'select created_at, type, state, data from request_event where request_id = ? and public order by created_at, key',
    [row.id],
  );
  const timeline = events.map((e) => ({
    at: new Date(e.created_at).toISOString(),
    type: e.type,
    state: e.state ?? undefined,
    label: EVENT_LABELS[e.type] ?? STATE_LABELS[e.state ?? 'in_progress'],
    text: PUBLIC_TEXT[e.type] ? String(e.data[PUBLIC_TEXT[e.type]] ?? '') : undefined,
  }));
  const lastQuestion = [...timeline].reverse().find((e) => e.type === 'information_requested');
  const doneAt = row.answered_at ? new Date(row.answered_at) : new Date();
  return {
    reference: row.reference,
    state: row.state,
    stateLabel: STATE_LABELS[row.state],
    subject: row.subject,
    topic: row.topic,
    department: row.department,
    receivedAt: new Date(row.received_at).toISOString(),
    dueAt: new Date(row.due_at).toISOString(),
    onTime: doneAt.getTime() <= new Date(row.due_at).getTime(),
    answer: row.answer ?? undefined,
    question: row.state === 'awaiting_citizen' ? lastQuestion?.text : undefined,
    workflowId: row.workflow_id,
    timeline,
    messages: await citizenMessageLines(em, row.id, row.time_zone ?? DEFAULT_TIME_ZONE),
    ...(await paymentOf(em, row.id)),
  };
}

/** The latest payment of a request, as `{payment}`, or nothing. */
async function paymentOf(em: EntityManager, requestId: string): Promise<{ payment?: PublicPayment }> {
  const payment = await em.findOne(Payment, { request: requestId }, { populate: ['product'], orderBy: { createdAt: 'desc' } });
  return payment ? { payment: publicPayment(payment) } : {};
}

/** A payment row as the citizen sees it (tracking view, payment return page). */
export function publicPayment(payment: Payment, now = new Date()): PublicPayment {
  const open = (payment.state === 'pending' || payment.state === 'created') && payment.expiresAt > now;
  return {
    amount: payment.amount,
    currency: payment.currency,
    state: payment.state,
    stateLabel: PAYMENT_STATE_LABELS[payment.state],
    reference: payment.reference,
    ...(payment.product ? { product: { slug: payment.product.slug, label: payment.product.label } } : {}),
    quantity: payment.quantity,
    ...(open && payment.paymentUrl ? { paymentUrl: payment.paymentUrl } : {}),
    expiresAt: payment.expiresAt.toISOString(),
    ...(payment.paidAt ? { paidAt: payment.paidAt.toISOString() } : {}),
    ...(payment.authorisation ? { authorisation: payment.authorisation } : {}),
  };
}

// E-mails to the citizen carry these templates; staff notices about the request are not the citizen's business.
const CITIZEN_EMAIL_TEMPLATES = ['acknowledgement', 'state_changed', 'information_requested', 'answer', 'payment_receipt'];

/** One line per message that left for the citizen, oldest first; a message not sent yet (or refused at once) is not told. */
export async function citizenMessageLines(em: EntityManager, requestId: string, timeZone: string): Promise<PublicMessageLine[]> {
  const rows = await query<{ channel: 'email' | 'sms'; status: string; at: Date }>(
    em,
    `select 'email' as channel, status, coalesce(sent_at, created_at) as at from notification
      where request_id = ? and channel = 'email' and template = any(?::text[]) and status in ('sent', 'delivered', 'bounced', 'uncertain')
     union all
     select 'sms' as channel, status, coalesce(submitted_at, created_at) as at from sms_message
      where request_id = ? and status in ('submitted', 'delivered', 'failed', 'expired', 'unknown') and (submitted_at is not null or status = 'delivered')
     order by at`,
    [requestId, `{${CITIZEN_EMAIL_TEMPLATES.join(',')}}`, requestId],
  );
  return rows.map((r) => {
    const at = new Date(r.at);
    const when = frenchLongDateTime(at, timeZone);
    const lost = r.status === 'bounced' || r.status === 'failed' || r.status === 'expired';
    const what = r.channel === 'email' ? 'Courriel' : 'SMS';
    return { at: at.toISOString(), channel: r.channel, delivered: !lost, text: lost ? `${what} non distribué (envoyé le ${when})` : `${what} envoyé le ${when}` };
  });
}


/**
 * The id of a tenant's request by its reference, for the files of a tracking page; NotFoundError when there is none.
 * Call it after publicRequestView has checked the tracking code.
 */
export async function trackedRequestId(em: EntityManager, tenantSlug: string, reference: string): Promise<string> {
  const request = await em.findOne(CitizenRequest, { tenant: { slug: tenantSlug }, reference }, { fields: ['id'] });
  if (!request) throw new NotFoundError('Unknown request');
  return request.id;
}
