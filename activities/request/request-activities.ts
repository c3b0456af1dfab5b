import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { EscalationRecipient } from '@/domain/deadlines/escalation';
import type { RequestState } from '@/domain/entities';
import { query } from '@/domain/sql';
import { STATE_LABELS } from '@/domain/states';
import { formatFrenchDateTime } from '@/domain/format/french';
import { trackingUrl, consoleUrl } from '@/domain/urls';
import type { EmailSender } from '@/integrations/mail/smtp';
import { followedReference } from '@/domain/mail/follow-up';
import { sendEmailOnce } from '@/domain/notifications/email-once';
import type { EmailAttachment } from '@/domain/notifications/email-sender';
import { requestDocument } from '@/domain/documents/store';
import { reminderVariables } from '@/domain/notifications/reminder';
import { citizenThread, withReferenceTag } from '@/domain/notifications/thread';
import { deploymentMailTokens } from '@/domain/mail/deployment';
import { smsSenderOf } from '@/domain/sms/sender';
import { composeSms, loadSmsTemplates } from '@/domain/notifications/sms-texts';
import type { SmsChannel } from '@/integrations/smpp/channel';
import {
  DEFAULT_EMAIL_TEMPLATES,
  renderText,
  type CitizenTemplate,
  type MessageKey,
  type MessageText,
  type StaffTemplate,
} from '@/domain/notifications/templates';
import { loadRequestContext, resolveStaffAddresses, type RequestContext } from './context';
import { acknowledgesEmailBySms } from './email-sms-acknowledgement';

/** Dependencies of the request activities; tests pass real ones. */
export interface RequestActivityDeps {
  orm: MikroORM;
  email: EmailSender;
  publicUrl: string;
  /** Absent when SMPP_URL is not configured: citizens who chose SMS then get e-mail when they gave an address. */
  sms?: SmsChannel;
  /** Told of each notification sent or failed (the worker's metrics). */
  observer?: NotificationObserver;
}

/** Counts notifications: one call per message handed over, one per failed attempt. */
export interface NotificationObserver {
  sent(channel: 'email' | 'sms', template: string): void;
  failed(channel: 'email' | 'sms', template: string): void;
}

/** A state change or action to append to the audit trail and project onto the case record. */
export interface RecordEventInput {
  tenantId: string;
  requestId: string;
  key: string;
  type: string;
  public: boolean;
  actor?: string;
  state: RequestState;
  departmentId: string;
  dueAt: string;
  answer?: string;
  data: Record<string, unknown>;
}

/** A message to the citizen of a request. */
export interface NotifyCitizenInput {
  tenantId: string;
  requestId: string;
  template: CitizenTemplate;
  idempotencyKey: string;
  vars?: Record<string, unknown>;
  /** Forces a channel (an agent's resend through the other one); by default the citizen's reply channel. */
  channel?: 'email' | 'sms';
  /** A stored document of the request sent with the e-mail (a payment receipt); by id, never its bytes. */
  documentId?: string;
}

/** A message to staff about a request. */
export interface NotifyStaffInput {
  tenantId: string;
  requestId: string;
  departmentId: string;
  template: StaffTemplate;
  recipients: EscalationRecipient[];
  idempotencyKey: string;
  vars?: Record<string, unknown>;
}

/** What a notification activity did. */
export interface NotifyResult {
  sent: number;
  skipped: number;
  reason?: string;
}

/** The activities of the request workflow, bound to their dependencies. */
export function createRequestActivities(deps: RequestActivityDeps) {
  const { orm, email, publicUrl, sms, observer } = deps;

  async function recordRequestEvent(input: RecordEventInput): Promise<boolean> {
    return orm.em.fork().transactional(async (em) => {
      const inserted = await query(
        em,
        // An anonymised request (erased while open) keeps no text its workflow still holds in memory.
        `insert into request_event (id, tenant_id, request_id, key, type, public, actor, state, data, created_at)
         select ?, ?, ?, ?, ?, ?, ?, ?, case when r.anonymised_at is null then ?::jsonb else '{}'::jsonb end, now()
           from request r where r.id = ? and r.tenant_id = ?
         on conflict (request_id, key) do nothing returning id`,
        [
          randomUUID(), input.tenantId, input.requestId, input.key, input.type, input.public, input.actor ?? null, input.state, JSON.stringify(input.data),
          input.requestId, input.tenantId,
        ],
      );
      if (inserted.length === 0) return false;
      await query(
        em,
        `update request set state = ?, department_id = ?, due_at = ?, answer = case when anonymised_at is null then coalesce(?, answer) end,
            answered_at = case when ? = 'answered' and answered_at is null then now() else answered_at end,
            closed_at = case when ? in ('closed', 'rejected') and closed_at is null then now() else closed_at end,
            updated_at = now()
          where id = ? and tenant_id = ?`,
        [input.state, input.departmentId, input.dueAt, input.answer ?? null, input.state, input.state, input.requestId, input.tenantId],
      );
      return true;
    });
  }

  async function notifyCitizen(input: NotifyCitizenInput): Promise<NotifyResult> {
    const em = orm.em.fork();
    const request = await requireRequest(em, input.tenantId, input.requestId);
    const vars = { ...baseVars(request), ...input.vars };
    // An e-mail that answered a closed request opened this one: its acknowledgement says so.
    if (input.template === 'acknowledgement' && request.channel === 'email') vars.followsReference = await followedReference(em, request.id);
    // Only the acknowledgement carries the code; the database keeps its hash alone.
    if (typeof input.vars?.trackingCode === 'string') vars.trackingUrl = trackingUrl(publicUrl, request.tenantSlug, request.reference, input.vars.trackingCode);
    if (input.channel === 'sms' && !(request.citizen.phone && sms)) return { sent: 0, skipped: 1, reason: request.citizen.phone ? 'SMS not configured' : 'no phone number' };
    if (input.channel === 'sms' || (!input.channel && request.replyChannel === 'sms' && request.citizen.phone && sms)) return notifyBySms(em, request, input, vars);
    // A resend names its channel: it never brings the SMS acknowledgement along again.
    if (!input.channel && sms && acknowledgesEmailBySms(request, input.template)) await notifyBySms(em, request, { ...input, idempotencyKey: `${input.idempotencyKey}:sms` }, vars);
    const to = request.citizen.email;
    // Postal letters plug in here with their module; a citizen who chose SMS on a deployment without SMPP gets e-mail if possible.
    if (!to) return { sent: 0, skipped: 1, reason: `no e-mail address (reply channel ${request.replyChannel})` };
    const text = await messageFor(em, request, input.template);
    const attachment = input.documentId ? await requestDocument(em, request.tenantId, request.id, input.documentId) : undefined;
    if (input.documentId && !attachment) throw ApplicationFailure.nonRetryable(`Document ${input.documentId} is not one of request ${request.id}`, 'UnknownDocument');
    // The citizen may answer any e-mail: the signed Reply-To, the reference and the thread bring the answer to this request.
    const sent = await sendOnce(em, request, {
      key: input.idempotencyKey,
      template: input.template,
      to,
      subject: withReferenceTag(renderText(text.subject ?? '', vars), request.reference),
      body: renderText(text.body, vars),
      replyTo: deploymentMailTokens().replyAddress(request.tenantSlug, request.reference),
      references: await citizenThread(em, request, to, input.idempotencyKey),
      ...(attachment ? { attachments: [{ filename: attachment.fileName, contentType: 'application/pdf', content: attachment.content }] } : {}),
    });
    return sent ? { sent: 1, skipped: 0 } : { sent: 0, skipped: 1, reason: 'already sent' };
  }

  async function notifyBySms(
    em: ReturnType<MikroORM['em']['fork']>,
    request: RequestContext,
    input: NotifyCitizenInput,
    vars: Record<string, unknown>,
  ): Promise<NotifyResult> {
    // E.164 since intake.
    const to = request.citizen.phone!;
    const templates = await loadSmsTemplates(em, request.tenantId);
    // SMS carry the bare tracking link (the code travels beside it) and the date without the hour.
    const smsVars = {
      ...vars,
      trackingUrl: trackingUrl(publicUrl, request.tenantSlug, request.reference),
      dueDay: String(vars.dueDate).split(' à ')[0],
      smsNumber: request.settings.smsNumber,
    };
    const { key, text, encoded } = composeSms(input.template, smsVars, templates);
    // sms_message is the SMS's one record (its status included), written by the channel under the same key.
    const outcome = await sms!
      .send({
        tenantId: request.tenantId,
        requestId: request.id,
        idempotencyKey: input.idempotencyKey,
        template: key,
        to,
        from: smsSenderOf(request.settings),
        text,
        encoded,
      })
      .catch((error: unknown) => {
        observer?.failed('sms', input.template);
        throw error;
      });
    if (!outcome.alreadySubmitted) observer?.sent('sms', input.template);
    return outcome.alreadySubmitted ? { sent: 0, skipped: 1, reason: 'already sent' } : { sent: 1, skipped: 0 };
  }

  async function notifyStaff(input: NotifyStaffInput): Promise<NotifyResult> {
    const em = orm.em.fork();
    const request = await requireRequest(em, input.tenantId, input.requestId);
    const department = await em.getConnection().execute('select name from department where id = ? and tenant_id = ?', [input.departmentId, input.tenantId]);
    const addresses = await resolveStaffAddresses(em, input.tenantId, input.departmentId, input.recipients);
    const text = await messageFor(em, request, input.template);
    const vars = { ...baseVars(request), departmentName: department[0]?.name ?? request.departmentName, ...input.vars };
    // A reminder at or past 100 % of the delay says that the deadline promised to the citizen has passed, and since when.
    if (input.template === 'reminder') Object.assign(vars, reminderVariables(Number(input.vars?.percent), request.dueAt, new Date()));
    let sent = 0;
    for (const to of addresses) {
      const done = await sendOnce(em, request, {
        key: `${input.idempotencyKey}:${to}`,
        template: input.template,
        to,
        subject: renderText(text.subject ?? '', vars),
        body: renderText(text.body, vars),
      });
      if (done) sent += 1;
    }
    return { sent, skipped: addresses.length - sent };
  }

  function baseVars(request: RequestContext): Record<string, unknown> {
    return {
      tenantName: request.tenantName,
      reference: request.reference,
      subject: request.subject,
      citizenName: request.citizen.name,
      topicLabel: request.topicLabel,
      departmentName: request.departmentName,
      dueDate: formatFrenchDateTime(request.dueAt, request.settings.timeZone),
      stateLabel: STATE_LABELS[request.state as RequestState] ?? request.state,
      trackingUrl: trackingUrl(publicUrl, request.tenantSlug, request.reference),
      consoleUrl: consoleUrl(publicUrl, request.tenantSlug, request.reference),
    };
  }

  async function sendOnce(
    em: ReturnType<MikroORM['em']['fork']>,
    request: RequestContext,
    message: { key: string; template: MessageKey; to: string; subject: string; body: string; replyTo?: string; references?: string[]; attachments?: EmailAttachment[] },
  ): Promise<boolean> {
    const outcome = await sendEmailOnce(em, email, { tenantId: request.tenantId, requestId: request.id, ...message }).catch((error: unknown) => {
      observer?.failed('email', message.template);
      throw error;
    });
    if (outcome === 'sent') observer?.sent('email', message.template);
    // An attempt died mid-send (worker killed): the server may hold the message, so it is never repeated;
    // agents see it on the timeline and can write again.
    if (outcome === 'uncertain') {
      await em.getConnection().execute(
        `insert into request_event (id, tenant_id, request_id, key, type, public, actor, state, data, created_at)
         values (?, ?, ?, ?, 'notification_uncertain', false, 'system', ?, ?, now()) on conflict (request_id, key) do nothing`,
        [randomUUID(), request.tenantId, request.id, `uncertain:${message.key}`, request.state, JSON.stringify({ template: message.template, recipient: message.to })],
      );
    }
    return outcome === 'sent';
  }

  return { recordRequestEvent, notifyCitizen, notifyStaff };
}

async function requireRequest(em: ReturnType<MikroORM['em']['fork']>, tenantId: string, requestId: string): Promise<RequestContext> {
  const request = await loadRequestContext(em, tenantId, requestId);
  if (!request) throw ApplicationFailure.nonRetryable(`Request ${requestId} of tenant ${tenantId} does not exist`, 'UnknownRequest');
  return request;
}

async function messageFor(em: ReturnType<MikroORM['em']['fork']>, request: RequestContext, key: MessageKey): Promise<MessageText> {
  const rows = await em.getConnection().execute(
    `select subject, body from message_template where tenant_id = ? and key = ? and channel = 'email'`,
    [request.tenantId, key],
  );
  return rows[0] ? { subject: rows[0].subject ?? undefined, body: rows[0].body } : DEFAULT_EMAIL_TEMPLATES[key];
}

/** The activity functions, as the workflow sees their types. */
export type RequestActivities = ReturnType<typeof createRequestActivities>;
