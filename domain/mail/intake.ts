// The mail intake: one inbound e-mail becomes a new request, a citizen reply, a bounce, or is set aside with a reason.
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { linkAttachments, storePendingFiles } from '@/domain/attachments/store';
import {
  CitizenRequest,
  InboundEmail,
  Notification,
  RequestEvent,
  Topic,
  type CitizenContact,
  type InboundAttachmentRecord,
  type InboundEmailOutcome,
  type RequestState,
} from '@/domain/entities';
import type { InboundEmailRequest } from '@/domain/intake/email';
import type { NewRequestBody } from '@/domain/intake/schema';
import type { IntakeReceipt } from '@/domain/intake/submission';
import type { CitizenReply } from '@/domain/requests/contract';
import { InputError } from '@/domain/validation';
import type { MailTokens } from './addresses';
import type { InboundMailOutcome, MailEnvelope } from './inbound-message';
import type { ParsedEmail } from './parsed-email';
import { createRecipientResolver, tenantById, type MailTenant, type ResolvedRecipient } from './recipients';
import { DEFAULT_ACKNOWLEDGEMENTS_PER_HOUR, automaticMessageReason, findFrenchMobile, keywordTopic, subjectReference, suppressesAutoResponse } from './rules';

/** Side effects the mail intake needs; the worker passes real ones. */
export interface MailIntakeDeps {
  orm: MikroORM;
  tokens: MailTokens;
  /** Files a new request through the one intake service (domain/intake/email.ts). */
  submitRequest: (request: InboundEmailRequest) => Promise<IntakeReceipt>;
  /** Delivers a citizen reply to a running request workflow (citizenReplySignal). */
  signalReply: (workflowId: string, reply: CitizenReply) => Promise<void>;
  /** Records a delivery status notification that came back to a `rebond+` address. */
  onDeliveryReport?: (notificationId: string, report: NonNullable<ParsedEmail['deliveryReport']>, inboundId: string) => Promise<void>;
  now?: () => Date;
  /** An unfinished earlier handling younger than this is still running: the sender is asked to retry (default 60 s). */
  inProgressMs?: number;
}

/** Thrown when the same message is being handled right now: the listener answers with a temporary error. */
export class InboundMailInProgressError extends Error {
  override name = 'InboundMailInProgressError';
}

const MAX_SUBJECT = 200;
const MAX_MESSAGE = 10_000;
const FINISHED_STATES: RequestState[] = ['closed', 'rejected'];

/** A request as reply matching reads it. */
interface RequestRef {
  id: string;
  reference: string;
  subject: string;
  state: RequestState;
  citizen: CitizenContact;
  workflowId: string;
}

/** Where a message is addressed, once its recipients are read. */
interface Addressing {
  tenant?: MailTenant;
  topicSlug?: string;
  replyReference?: string;
  bounceNotificationId?: string;
}

/** What became of a message, as written on its inbound_email row. */
interface Decision {
  outcome: Exclude<InboundEmailOutcome, 'received' | 'released'>;
  reason?: string;
  requestId?: string;
  reference?: string;
  linkedRequestId?: string;
  acknowledged?: boolean;
  notificationId?: string;
  attachments?: InboundAttachmentRecord[];
}

/** One message in the hands of the intake. */
interface Context {
  em: EntityManager;
  inboundId: string;
  parsed: ParsedEmail;
  envelope: MailEnvelope;
  addressing: Addressing;
}

/** The mail intake: `receive(parsed, envelope)` files one message, idempotently. */
export function createMailIntake(deps: MailIntakeDeps) {
  const now = deps.now ?? (() => new Date());
  const inProgressMs = deps.inProgressMs ?? 60_000;
  const recipients = createRecipientResolver({ orm: deps.orm, tokens: deps.tokens });

  async function receive(parsed: ParsedEmail, envelope: MailEnvelope): Promise<InboundMailOutcome> {
    const em = deps.orm.em.fork();
    const addressing = await addressingOf(em, parsed, envelope);
    const tenantId = addressing.tenant?.id ?? (await bounceTenant(em, addressing.bounceNotificationId));
    const claim = await claimInbound(em, parsed, envelope, tenantId);
    if (claim.done) return { kind: 'duplicate', inboundId: claim.id };
    const context: Context = { em, inboundId: claim.id, parsed, envelope, addressing };
    const decision = (await resumed(context, claim.requestId)) ?? (await decide(context));
    // Kept as pending files so that an agent who releases the message from quarantine still has them.
    if (decision.outcome === 'quarantined' && !decision.attachments && addressing.tenant) {
      decision.attachments = [...(await storeAttachments(em, addressing.tenant.id, parsed)), ...refusedRecords(parsed)];
    }
    await em.nativeUpdate(
      InboundEmail,
      { id: claim.id },
      {
        outcome: decision.outcome,
        reason: decision.reason ?? null,
        request: decision.requestId ?? claim.requestId ?? null,
        linkedRequest: decision.linkedRequestId ?? null,
        notificationId: decision.notificationId ?? null,
        attachments: decision.attachments ?? refusedRecords(parsed),
        handledAt: now(),
      },
    );
    return outcomeOf(claim.id, decision);
  }

  async function addressingOf(em: EntityManager, parsed: ParsedEmail, envelope: MailEnvelope): Promise<Addressing> {
    const resolved: ResolvedRecipient[] = [];
    for (const address of envelope.rcptTo.slice(0, 50)) {
      const recipient = await recipients.resolve(em, address);
      if (recipient) resolved.push(recipient);
    }
    const bounce = resolved.find((r) => r.kind === 'bounce');
    if (bounce?.kind === 'bounce' && !envelope.tenantId) return { bounceNotificationId: bounce.notificationId };
    const tenant = envelope.tenantId ? await tenantById(em, envelope.tenantId) : resolved.find((r) => r.kind !== 'bounce')?.tenant;
    if (!tenant) return {};
    const mine = resolved.filter((r): r is Exclude<ResolvedRecipient, { kind: 'bounce' }> => r.kind !== 'bounce' && r.tenant.id === tenant.id);
    // A reply address may also be read from To or Cc, when the message reached Relais by forwarding.
    const replyReference = mine.find((r) => r.kind === 'reply')?.reference ?? replyTokenIn(parsed.recipients ?? [], tenant.slug);
    const topicSlug = mine.map((r) => (r.kind === 'tenant' ? r.topicSlug : undefined)).find(Boolean);
    return { tenant, topicSlug, replyReference };
  }

  function replyTokenIn(addresses: string[], tenantSlug: string): string | undefined {
    for (const address of addresses.slice(0, 50)) {
      const own = deps.tokens.parse(address);
      if (own?.kind === 'reply' && own.tenantSlug === tenantSlug) return own.reference;
    }
    return undefined;
  }

  async function claimInbound(
    em: EntityManager,
    parsed: ParsedEmail,
    envelope: MailEnvelope,
    tenantId: string | undefined,
  ): Promise<{ id: string; done: boolean; requestId?: string }> {
    const dedupeKey = dedupeKeyOf(tenantId, parsed);
    const id = randomUUID();
    // One autocommit statement claims a new message (the listener's hot path); a conflict means it was seen before.
    const inserted = await em
      .createQueryBuilder(InboundEmail)
      .insert({
        id,
        tenant: tenantId ?? null,
        source: envelope.source,
        envelopeFrom: envelope.mailFrom?.slice(0, 320) ?? null,
        envelopeTo: envelope.rcptTo.slice(0, 50).map((address) => address.slice(0, 320)),
        messageId: parsed.messageId ?? null,
        fromAddress: parsed.fromAddress ?? null,
        fromName: parsed.fromName ?? null,
        subject: parsed.subject || null,
        body: parsed.text,
        dedupeKey,
        auth: parsed.authentication ? { ...parsed.authentication } : {},
        size: parsed.size,
        receivedAt: now(),
        queuedAt: envelope.queuedAt ? new Date(envelope.queuedAt) : null,
      })
      .onConflict('dedupeKey')
      .ignore()
      .execute('run');
    if (inserted.affectedRows === 1) return { id, done: false };
    const previous = await em.findOne(InboundEmail, { dedupeKey }, { fields: ['id', 'outcome', 'request', 'receivedAt'] });
    if (!previous) throw new InboundMailInProgressError(`inbound e-mail ${dedupeKey} vanished while being claimed`);
    if (previous.outcome !== 'received') return { id: previous.id, done: true };
    // The earlier handling died half-way: take it over, keeping the request it may have created. The condition makes the
    // takeover atomic: of two redeliveries racing here, one wins and the other is asked to retry.
    const taken = await em.nativeUpdate(
      InboundEmail,
      { id: previous.id, outcome: 'received', receivedAt: { $lt: new Date(now().getTime() - inProgressMs) } },
      { receivedAt: now() },
    );
    if (!taken) throw new InboundMailInProgressError(`inbound e-mail ${previous.id} is being handled`);
    return { id: previous.id, done: false, requestId: previous.request?.id };
  }

  // A takeover whose first handling filed a request already: nothing is filed twice.
  async function resumed(context: Context, requestId: string | undefined): Promise<Decision | undefined> {
    if (!requestId) return undefined;
    const request = await context.em.findOne(CitizenRequest, { id: requestId }, { fields: ['id', 'reference'] });
    return request ? { outcome: 'request', requestId: request.id, reference: request.reference, acknowledged: true } : undefined;
  }

  async function decide(context: Context): Promise<Decision> {
    const { parsed, envelope, addressing } = context;
    if (addressing.bounceNotificationId) return bounce(context, addressing.bounceNotificationId);
    const tenant = addressing.tenant;
    if (!tenant) return { outcome: 'refused', reason: 'Aucune commune ne reçoit de courriel à cette adresse.' };
    if (parsed.unreadable) return { outcome: 'refused', reason: parsed.unreadable };
    const declared = new Set((tenant.settings.mail?.addresses ?? []).map((address) => address.toLowerCase()));
    const automatic = automaticMessageReason(parsed, envelope, (address) => deps.tokens.isOwnAddress(address) || declared.has(address.toLowerCase()));
    if (automatic) return { outcome: 'ignored', reason: automatic };
    if (!parsed.fromAddress) return { outcome: 'quarantined', reason: "Adresse de l'expéditeur absente ou invalide : impossible de lui répondre." };
    if (parsed.authentication?.dmarc === 'fail') {
      return { outcome: 'quarantined', reason: `Authentification DMARC en échec pour ${parsed.fromAddress} : l'expéditeur est peut-être usurpé.` };
    }
    const replyTo = await repliedRequest(context, tenant);
    if (replyTo) return reply(context, tenant, replyTo);
    return fileRequest(context, tenant);
  }

  async function bounce(context: Context, notificationId: string): Promise<Decision> {
    const report = context.parsed.deliveryReport;
    if (!report) return { outcome: 'ignored', reason: "Message reçu à une adresse de retour sans avis de non-remise : rien à enregistrer.", notificationId };
    await deps.onDeliveryReport?.(notificationId, report, context.inboundId);
    return { outcome: 'bounce', notificationId };
  }

  /** The request a message answers: by reply token, by thread, then by subject reference from the citizen's address. */
  async function repliedRequest(context: Context, tenant: MailTenant): Promise<RequestRef | undefined> {
    const { em, parsed, addressing } = context;
    if (addressing.replyReference) {
      const request = await requestByReference(em, tenant.id, addressing.replyReference);
      if (request) return request;
    }
    const threaded = await requestOfThread(em, tenant.id, parsed);
    if (threaded) return threaded;
    const reference = subjectReference(parsed.subject);
    if (reference) {
      const request = await requestByReference(em, tenant.id, reference);
      if (request) return request;
    }
    return undefined;
  }

  async function reply(context: Context, tenant: MailTenant, request: RequestRef): Promise<Decision> {
    const { em, parsed } = context;
    const citizenEmail = request.citizen.email?.toLowerCase();
    if (citizenEmail !== parsed.fromAddress) {
      return {
        outcome: 'quarantined',
        requestId: request.id,
        reason: `Réponse à la demande ${request.reference} envoyée par ${parsed.fromAddress}, qui n'est pas l'adresse du demandeur : à vérifier avant de la joindre.`,
      };
    }
    if (FINISHED_STATES.includes(request.state)) return fileRequest(context, tenant, request);
    const stored = await storeAttachments(em, tenant.id, parsed);
    try {
      await deps.signalReply(request.workflowId, { body: replyBody(parsed, stored), via: 'email' });
    } catch (error) {
      // The workflow ended since the projection was read (closed automatically): the reply opens a new request.
      if ((error as Error)?.name === 'WorkflowNotFoundError') return fileRequest(context, tenant, request, stored);
      throw error;
    }
    await em.transactional((tx) => linkAttachments(tx, tenant.id, request.id, stored.map((file) => file.attachmentId!)));
    return { outcome: 'reply', requestId: request.id, attachments: [...stored, ...refusedRecords(parsed)] };
  }

  async function fileRequest(context: Context, tenant: MailTenant, follows?: RequestRef, storedBefore?: InboundAttachmentRecord[]): Promise<Decision> {
    const { em, parsed, inboundId } = context;
    const topic = await chooseTopic(em, tenant, context.addressing.topicSlug, parsed);
    if (!topic) return { outcome: 'refused', reason: 'Aucun thème actif ne peut recevoir ce courriel.' };
    const acknowledged = !suppressesAutoResponse(parsed) && (await acknowledgementsSince(em, tenant.id, parsed.fromAddress!, new Date(now().getTime() - 3_600_000))) < acknowledgementLimit(tenant);
    const stored = storedBefore ?? (await storeAttachments(em, tenant.id, parsed));
    const attachments = [...stored, ...refusedRecords(parsed)];
    let requestId: string | undefined;
    try {
      const receipt = await deps.submitRequest({
        tenantSlug: tenant.slug,
        body: requestBody(tenant, topic, parsed, stored, follows),
        acknowledge: acknowledged,
        beforeStart: async (start) => {
          requestId = start.requestId;
          await em.nativeUpdate(InboundEmail, { id: inboundId }, { request: start.requestId, linkedRequest: follows?.id ?? null });
        },
      });
      requestId ??= (await requestByReference(em, tenant.id, receipt.reference))?.id;
      await recordRequestEvents(em, tenant.id, inboundId, requestId!, receipt.reference, parsed, follows);
      return { outcome: 'request', requestId, reference: receipt.reference, linkedRequestId: follows?.id, acknowledged, attachments };
    } catch (error) {
      if (error instanceof InputError) return { outcome: 'quarantined', reason: `Demande non enregistrée : ${error.errors.map((e) => e.message).join(' ')}`, attachments };
      throw error;
    }
  }

  return { receive };
}

/** The intake's own function type. */
export type MailIntake = ReturnType<typeof createMailIntake>;

function outcomeOf(inboundId: string, decision: Decision): InboundMailOutcome {
  switch (decision.outcome) {
    case 'request':
      return { kind: 'request', inboundId, requestId: decision.requestId!, reference: decision.reference!, acknowledged: decision.acknowledged ?? true };
    case 'reply':
      return { kind: 'reply', inboundId, requestId: decision.requestId! };
    case 'bounce':
      return { kind: 'bounce', inboundId, notificationId: decision.notificationId };
    case 'refused':
      return { kind: 'refused', inboundId, reason: decision.reason ?? '' };
    default:
      return { kind: decision.outcome, inboundId, reason: decision.reason ?? '' };
  }
}

/** Tenant and Message-ID, or the content's hash without one; long ids are hashed to fit the column. */
export function dedupeKeyOf(tenantId: string | undefined, parsed: Pick<ParsedEmail, 'messageId' | 'sha256'>): string {
  const tenant = tenantId ?? 'none';
  if (!parsed.messageId) return `${tenant}:sha256:${parsed.sha256}`;
  const key = `${tenant}:${parsed.messageId}`;
  return key.length <= 200 ? key : `${tenant}:mid:${createHash('sha256').update(parsed.messageId).digest('hex')}`;
}

async function bounceTenant(em: EntityManager, notificationId: string | undefined): Promise<string | undefined> {
  if (!notificationId) return undefined;
  const notification = await em.findOne(Notification, { id: notificationId }, { fields: ['tenant'] });
  return notification?.tenant.id;
}

async function requestByReference(em: EntityManager, tenantId: string, reference: string): Promise<RequestRef | undefined> {
  const request = await em.findOne(
    CitizenRequest,
    { tenant: tenantId, reference },
    { fields: ['id', 'reference', 'subject', 'state', 'citizen', 'workflowId'] },
  );
  return request ? requestRef(request) : undefined;
}

/** The request whose e-mail (sent by Relais, or received from the citizen) this message's In-Reply-To or References name. */
async function requestOfThread(em: EntityManager, tenantId: string, parsed: ParsedEmail): Promise<RequestRef | undefined> {
  const ids = [...new Set([parsed.inReplyTo, ...[...parsed.references].reverse()].filter((id): id is string => Boolean(id)))].slice(0, 50);
  if (!ids.length) return undefined;
  const sent = await em.findOne(Notification, { tenant: tenantId, messageId: { $in: ids }, request: { $ne: null } }, { fields: ['request'], orderBy: { createdAt: 'desc' } });
  let requestId = sent?.request?.id;
  if (!requestId) {
    const keys = ids.map((messageId) => dedupeKeyOf(tenantId, { messageId, sha256: '' }));
    const received = await em.findOne(InboundEmail, { dedupeKey: { $in: keys }, request: { $ne: null } }, { fields: ['request'], orderBy: { receivedAt: 'desc' } });
    requestId = received?.request?.id;
  }
  if (!requestId) return undefined;
  const request = await em.findOne(CitizenRequest, { id: requestId, tenant: tenantId }, { fields: ['id', 'reference', 'subject', 'state', 'citizen', 'workflowId'] });
  return request ? requestRef(request) : undefined;
}

function requestRef(request: Pick<CitizenRequest, 'id' | 'reference' | 'subject' | 'state' | 'citizen' | 'workflowId'>): RequestRef {
  return { id: request.id, reference: request.reference, subject: request.subject, state: request.state, citizen: request.citizen ?? {}, workflowId: request.workflowId };
}

/** The address's topic, else the first keyword rule that matches, else the tenant's default, else the first active topic. */
async function chooseTopic(em: EntityManager, tenant: MailTenant, addressTopic: string | undefined, parsed: ParsedEmail): Promise<string | undefined> {
  const topics = await em.find(Topic, { tenant: tenant.id, active: true }, { fields: ['slug'], orderBy: { position: 'asc', slug: 'asc' } });
  const active = new Set(topics.map((topic) => topic.slug));
  const mail = tenant.settings.mail;
  const candidates = [addressTopic, keywordTopic(mail?.keywordRules, parsed.subject, parsed.text), mail?.defaultTopic, topics[0]?.slug];
  return candidates.find((slug): slug is string => Boolean(slug && active.has(slug)));
}

function acknowledgementLimit(tenant: MailTenant): number {
  return tenant.settings.mail?.acknowledgementsPerHour ?? DEFAULT_ACKNOWLEDGEMENTS_PER_HOUR;
}

/** Requests this sender filed by e-mail with the tenant since a date (inbound_email_sender_idx). */
async function acknowledgementsSince(em: EntityManager, tenantId: string, from: string, since: Date): Promise<number> {
  return em.count(InboundEmail, { tenant: tenantId, fromAddress: from, outcome: 'request', receivedAt: { $gt: since } });
}

/** Accepted attachments stored as pending files of the tenant (linked by the intake or the reply). */
async function storeAttachments(em: EntityManager, tenantId: string, parsed: ParsedEmail): Promise<InboundAttachmentRecord[]> {
  if (!parsed.attachments.length) return [];
  const stored = await storePendingFiles(
    em,
    tenantId,
    parsed.attachments.map((file) => ({ name: file.name, bytes: file.bytes })),
    'citizen',
  );
  return stored.map((file) => ({ name: file.name, type: file.type, size: file.size, attachmentId: file.id }));
}

function refusedRecords(parsed: ParsedEmail): InboundAttachmentRecord[] {
  return parsed.refusedAttachments.map((file) => ({ name: file.name, type: file.type, size: file.size, refusedReason: file.reason }));
}

function requestBody(tenant: MailTenant, topic: string, parsed: ParsedEmail, stored: InboundAttachmentRecord[], follows?: RequestRef): NewRequestBody {
  const subject = parsed.subject.trim().length >= 3 ? parsed.subject.trim() : 'Courriel sans objet';
  const text = parsed.text.trim() || (stored.length ? '(Courriel sans texte, voir les pièces jointes.)' : '(Courriel sans texte.)');
  const intro = follows ? `Ce courriel fait suite à la demande ${follows.reference} (« ${follows.subject} »), qui était close.\n\n` : '';
  const phone = tenant.settings.mail?.acknowledgeBySms ? findFrenchMobile(parsed.text) : undefined;
  return {
    topic,
    subject: cut(follows ? `Suite de la demande ${follows.reference} : ${subject}` : subject, MAX_SUBJECT),
    message: cut(intro + text, MAX_MESSAGE, '\n[…] (message tronqué : le courriel complet est conservé avec la demande)'),
    channel: 'email',
    contact: { email: parsed.fromAddress!, ...(parsed.fromName ? { name: parsed.fromName } : {}), ...(phone ? { phone } : {}) },
    attachments: stored.map((file) => file.attachmentId!),
  };
}

/** The reply as the workflow receives it: the new part of the message, and what became of its attachments. */
function replyBody(parsed: ParsedEmail, stored: InboundAttachmentRecord[]): string {
  const lines = [parsed.replyText.trim() || parsed.text.trim() || '(Courriel sans texte.)'];
  if (stored.length) lines.push(`Pièces jointes : ${stored.map((file) => file.name).join(', ')}.`);
  if (parsed.refusedAttachments.length) lines.push(`Pièces jointes non conservées : ${parsed.refusedAttachments.map((file) => `${file.name} (${file.reason})`).join(' ; ')}`);
  return cut(lines.join('\n\n'), MAX_MESSAGE);
}

/** The refused attachments, and the link between a closed request and the one that follows it, on both timelines. */
async function recordRequestEvents(
  em: EntityManager,
  tenantId: string,
  inboundId: string,
  requestId: string,
  reference: string,
  parsed: ParsedEmail,
  follows: RequestRef | undefined,
): Promise<void> {
  const events: Array<{ requestId: string; type: string; state: RequestState; data: Record<string, unknown> }> = [];
  if (parsed.refusedAttachments.length) {
    const files = parsed.refusedAttachments.map((file) => ({ name: file.name, size: file.size, reason: file.reason }));
    const body = `Pièces jointes du courriel non conservées : ${files.map((file) => `${file.name} (${file.reason})`).join(' ; ')}`;
    events.push({ requestId, type: 'attachments_refused', state: 'received', data: { files, body } });
  }
  if (follows) {
    events.push({ requestId, type: 'linked_request', state: 'received', data: { reference: follows.reference, body: `Fait suite à la demande ${follows.reference}.` } });
    events.push({ requestId: follows.id, type: 'linked_request', state: follows.state, data: { reference, body: `Suivie de la demande ${reference}.` } });
  }
  for (const event of events) {
    // Keyed by the inbound message: a takeover writes each event once.
    await em
      .createQueryBuilder(RequestEvent)
      .insert({ id: randomUUID(), tenant: tenantId, request: event.requestId, key: `mail:${inboundId}:${event.type}`, type: event.type, public: true, actor: 'citizen', state: event.state, data: event.data, createdAt: new Date() })
      .onConflict(['request', 'key'])
      .ignore()
      .execute();
  }
}

function cut(text: string, max: number, suffix = '…'): string {
  return text.length <= max ? text : `${text.slice(0, max - suffix.length).trimEnd()}${suffix}`;
}
