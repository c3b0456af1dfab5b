import type { EntityManager } from '@mikro-orm/postgresql';
import type { CitizenContact, RequestState } from '@/domain/entities';
import { query } from '@/domain/sql';
import { STATE_LABELS } from '@/domain/states';
import { addressedRows, requestIdsOf, type PersonKey } from './person';
import { campaignMessagesOf, subscriptionsOf, type PersonCampaignMessage, type PersonSubscription } from './subscriptions';

/** States in which a request is still being handled: erasing it means it can no longer be answered. */
export function isOpenState(state: string): boolean {
  return state !== 'closed' && state !== 'rejected';
}

/** One request of the person, with everything attached to it. */
export interface PersonRequest {
  reference: string;
  topic: string;
  department: string;
  kind: string;
  channel: string;
  replyChannel: string;
  state: RequestState;
  stateLabel: string;
  open: boolean;
  subject: string;
  message: string;
  citizen: CitizenContact;
  formData: Record<string, unknown> | null;
  answer: string | null;
  receivedAt: string;
  dueAt: string;
  answeredAt: string | null;
  closedAt: string | null;
  consentAt: string | null;
  /** Timeline: internal events keep their type and date only (agents' notes are not the person's data). */
  events: Array<{ type: string; at: string; state: string | null; public: boolean; data?: Record<string, unknown> }>;
  /** `contentBase64` only in the JSON export: the files themselves are part of what is handed over. */
  attachments: Array<{ name: string; type: string; size: number; sha256: string; createdAt: string; contentBase64?: string }>;
  documents: Array<{ kind: string; fileName: string; size: number; createdAt: string; contentBase64?: string }>;
  exports: Array<{ connector: string; status: string; at: string }>;
}

/** Everything the tenant holds about one person, as the right of access (RGPD art. 15) hands it over. */
export interface PersonalData {
  generatedAt: string;
  tenant: { slug: string; name: string };
  person: PersonKey;
  requests: PersonRequest[];
  notifications: Array<{ reference: string | null; channel: string; recipient: string; template: string; subject: string | null; status: string; createdAt: string; sentAt: string | null }>;
  smsSent: Array<{ reference: string | null; recipient: string; sender: string; text: string; status: string; createdAt: string }>;
  smsReceived: Array<{ reference: string | null; sender: string; recipient: string; text: string; outcome: string; receivedAt: string }>;
  emailsReceived: Array<{ reference: string | null; from: string | null; subject: string | null; text: string | null; outcome: string; receivedAt: string }>;
  /** The person answered STOP: kept so no SMS reaches them again. */
  smsOptOutSince: string | null;
  /** Information lists the person is or was on, each with its consent trail. */
  subscriptions: PersonSubscription[];
  /** Campaign messages addressed to the person. */
  campaignMessages: PersonCampaignMessage[];
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
const uuids = (ids: string[]) => `{${ids.join(',')}}`;

/** Collects what the tenant holds about the person: requests (with timeline, files, documents, exports), messages, SMS. */
export async function collectPersonalData(em: EntityManager, tenantId: string, person: PersonKey, options: { withFiles?: boolean } = {}): Promise<PersonalData> {
  const [tenant] = await query<{ slug: string; name: string }>(em, 'select slug, name from tenant where id = ?', [tenantId]);
  const requestIds = await requestIdsOf(em, tenantId, person);
  const ids = uuids(requestIds);
  const requests = await query<{
    id: string; reference: string; topic: string; department: string; kind: string; channel: string; reply_channel: string; state: RequestState;
    subject: string; body: string; citizen: CitizenContact; form_data: Record<string, unknown> | null; answer: string | null;
    received_at: Date; due_at: Date; answered_at: Date | null; closed_at: Date | null; consent_at: Date | null;
  }>(
    em,
    `select r.id, r.reference, t.label as topic, d.name as department, r.kind, r.channel, r.reply_channel, r.state, r.subject, r.body, r.citizen,
            r.form_data, r.answer, r.received_at, r.due_at, r.answered_at, r.closed_at, r.consent_at
       from request r join topic t on t.id = r.topic_id join department d on d.id = r.department_id
      where r.tenant_id = ? and r.id = any(?::uuid[]) order by r.received_at, r.reference`,
    [tenantId, ids],
  );
  const events = await query<{ request_id: string; type: string; created_at: Date; state: string | null; public: boolean; data: Record<string, unknown> }>(
    em,
    'select request_id, type, created_at, state, public, data from request_event where tenant_id = ? and request_id = any(?::uuid[]) order by created_at, key',
    [tenantId, ids],
  );
  const content = options.withFiles ? ', content' : '';
  const attachments = await query<{ request_id: string; name: string; type: string; size: number; sha256: string; created_at: Date; content?: Buffer }>(
    em,
    `select request_id, name, type, size, sha256, created_at${content} from attachment where tenant_id = ? and request_id = any(?::uuid[]) order by created_at`,
    [tenantId, ids],
  );
  const documents = await query<{ request_id: string; kind: string; file_name: string; size: number; created_at: Date; content?: Buffer }>(
    em,
    `select request_id, kind, file_name, size, created_at${content} from document where tenant_id = ? and request_id = any(?::uuid[]) order by created_at`,
    [tenantId, ids],
  );
  const exports = await query<{ request_id: string; connector: string; status: string; at: Date }>(
    em,
    'select request_id, connector, status, at from export_attempt where tenant_id = ? and request_id = any(?::uuid[]) order by at',
    [tenantId, ids],
  );
  const referenceOf = new Map(requests.map((r) => [r.id, r.reference]));
  // Messages of the person's requests sent to agents carry the agents' addresses, not the person's: only what reached the person.
  const emails = new Set([...(person.kind === 'email' ? [person.value] : []), ...requests.map((r) => r.citizen.email?.toLowerCase()).filter((e): e is string => !!e)]);
  const phones = new Set([...(person.kind === 'phone' ? [person.value] : []), ...requests.map((r) => r.citizen.phone ?? '').filter(Boolean)]);
  const toPerson = (recipient: string) => emails.has(recipient.toLowerCase()) || phones.has(recipient);
  const ofRequest = <T extends { request_id: string }>(rows: T[], id: string) => rows.filter((row) => row.request_id === id);

  const notificationIds = await addressedRows(em, tenantId, person, requestIds, 'notification', 'recipient');
  const notifications = await query<{ request_id: string | null; channel: string; recipient: string; template: string; subject: string | null; status: string; created_at: Date; sent_at: Date | null }>(
    em,
    'select request_id, channel, recipient, template, subject, status, created_at, sent_at from notification where tenant_id = ? and id = any(?::uuid[]) order by created_at',
    [tenantId, uuids(notificationIds)],
  );
  const smsIds = await addressedRows(em, tenantId, person, requestIds, 'sms_message', 'recipient');
  const smsSent = await query<{ request_id: string | null; recipient: string; sender: string; text: string; status: string; created_at: Date }>(
    em,
    'select request_id, recipient, sender, text, status, created_at from sms_message where tenant_id = ? and id = any(?::uuid[]) order by created_at',
    [tenantId, uuids(smsIds)],
  );
  const inboundIds = await addressedRows(em, tenantId, person, requestIds, 'sms_inbound', 'sender');
  const smsReceived = await query<{ request_id: string | null; sender: string; recipient: string; text: string; outcome: string; received_at: Date }>(
    em,
    'select request_id, sender, recipient, text, outcome, received_at from sms_inbound where tenant_id = ? and id = any(?::uuid[]) order by received_at',
    [tenantId, uuids(inboundIds)],
  );
  const emailIds = await addressedRows(em, tenantId, person, requestIds, 'inbound_email', 'from_address');
  const emailsReceived = await query<{ request_id: string | null; from_address: string | null; subject: string | null; body: string | null; outcome: string; received_at: Date }>(
    em,
    'select request_id, from_address, subject, body, outcome, received_at from inbound_email where tenant_id = ? and id = any(?::uuid[]) order by received_at',
    [tenantId, uuids(emailIds)],
  );
  const [optOut] =
    person.kind === 'phone' ? await query<{ created_at: Date }>(em, 'select created_at from sms_opt_out where tenant_id = ? and phone = ?', [tenantId, person.value]) : [];

  return {
    generatedAt: new Date().toISOString(),
    tenant,
    person,
    requests: requests.map((r) => ({
      reference: r.reference,
      topic: r.topic,
      department: r.department,
      kind: r.kind,
      channel: r.channel,
      replyChannel: r.reply_channel,
      state: r.state,
      stateLabel: STATE_LABELS[r.state] ?? r.state,
      open: isOpenState(r.state),
      subject: r.subject,
      message: r.body,
      citizen: r.citizen,
      formData: r.form_data,
      answer: r.answer,
      receivedAt: iso(r.received_at)!,
      dueAt: iso(r.due_at)!,
      answeredAt: iso(r.answered_at),
      closedAt: iso(r.closed_at),
      consentAt: iso(r.consent_at),
      events: ofRequest(events, r.id).map((e) => ({ type: e.type, at: iso(e.created_at)!, state: e.state, public: e.public, ...(e.public ? { data: e.data } : {}) })),
      attachments: ofRequest(attachments, r.id).map((a) => ({
        name: a.name, type: a.type, size: a.size, sha256: a.sha256, createdAt: iso(a.created_at)!, ...(a.content ? { contentBase64: Buffer.from(a.content).toString('base64') } : {}),
      })),
      documents: ofRequest(documents, r.id).map((d) => ({
        kind: d.kind, fileName: d.file_name, size: d.size, createdAt: iso(d.created_at)!, ...(d.content ? { contentBase64: Buffer.from(d.content).toString('base64') } : {}),
      })),
      exports: ofRequest(exports, r.id).map((x) => ({ connector: x.connector, status: x.status, at: iso(x.at)! })),
    })),
    notifications: notifications.filter((n) => toPerson(n.recipient)).map((n) => ({
      reference: n.request_id ? (referenceOf.get(n.request_id) ?? null) : null,
      channel: n.channel,
      recipient: n.recipient,
      template: n.template,
      subject: n.subject,
      status: n.status,
      createdAt: iso(n.created_at)!,
      sentAt: iso(n.sent_at),
    })),
    smsSent: smsSent.filter((s) => toPerson(s.recipient)).map((s) => ({ reference: s.request_id ? (referenceOf.get(s.request_id) ?? null) : null, recipient: s.recipient, sender: s.sender, text: s.text, status: s.status, createdAt: iso(s.created_at)! })),
    smsReceived: smsReceived.map((s) => ({ reference: s.request_id ? (referenceOf.get(s.request_id) ?? null) : null, sender: s.sender, recipient: s.recipient, text: s.text, outcome: s.outcome, receivedAt: iso(s.received_at)! })),
    emailsReceived: emailsReceived.map((e) => ({
      reference: e.request_id ? (referenceOf.get(e.request_id) ?? null) : null,
      from: e.from_address,
      subject: e.subject,
      text: e.body,
      outcome: e.outcome,
      receivedAt: iso(e.received_at)!,
    })),
    smsOptOutSince: iso(optOut?.created_at ?? null),
    subscriptions: await subscriptionsOf(em, tenantId, person),
    campaignMessages: await campaignMessagesOf(em, tenantId, person),
  };
}

/** What the search screen lists before anything is opened: references, topics, dates and states, and how much is held. */
export interface PersonSummary {
  requests: Array<Pick<PersonRequest, 'reference' | 'topic' | 'department' | 'state' | 'stateLabel' | 'open' | 'receivedAt' | 'closedAt'>>;
  counts: {
    requests: number;
    openRequests: number;
    notifications: number;
    smsSent: number;
    smsReceived: number;
    emailsReceived: number;
    attachments: number;
    documents: number;
    subscriptions: number;
    campaignMessages: number;
  };
}

/** The summary of a person's data, derived from the full collection. */
export function summarise(data: PersonalData): PersonSummary {
  return {
    requests: data.requests.map((r) => ({ reference: r.reference, topic: r.topic, department: r.department, state: r.state, stateLabel: r.stateLabel, open: r.open, receivedAt: r.receivedAt, closedAt: r.closedAt })),
    counts: {
      requests: data.requests.length,
      openRequests: data.requests.filter((r) => r.open).length,
      notifications: data.notifications.length,
      smsSent: data.smsSent.length,
      smsReceived: data.smsReceived.length,
      emailsReceived: data.emailsReceived.length,
      attachments: data.requests.reduce((n, r) => n + r.attachments.length, 0),
      documents: data.requests.reduce((n, r) => n + r.documents.length, 0),
      subscriptions: data.subscriptions.length,
      campaignMessages: data.campaignMessages.length,
    },
  };
}
