import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { EscalationRecipient } from '../../domain/deadlines/escalation';
import type { RequestState } from '../../domain/entities';
import { STATE_LABELS, formatFrenchDateTime } from '../../domain/states';
import { trackingUrl, consoleUrl } from '../../domain/urls';
import type { EmailSender } from '../notifications/email';
import {
  DEFAULT_EMAIL_TEMPLATES,
  renderText,
  type CitizenTemplate,
  type MessageKey,
  type MessageText,
  type StaffTemplate,
} from '../notifications/templates';
import { loadRequestContext, resolveStaffAddresses, type RequestContext } from './context';

/** Dependencies of the request activities; tests pass real ones. */
export interface RequestActivityDeps {
  orm: MikroORM;
  email: EmailSender;
  publicUrl: string;
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
  const { orm, email, publicUrl } = deps;

  async function recordRequestEvent(input: RecordEventInput): Promise<boolean> {
    return orm.em.fork().transactional(async (em) => {
      const conn = em.getConnection();
      const inserted = await conn.execute(
        `insert into request_event (id, tenant_id, request_id, key, type, public, actor, state, data, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, now()) on conflict (request_id, key) do nothing returning id`,
        [randomUUID(), input.tenantId, input.requestId, input.key, input.type, input.public, input.actor ?? null, input.state, JSON.stringify(input.data)],
      );
      if (inserted.length === 0) return false;
      await conn.execute(
        `update request set state = ?, department_id = ?, due_at = ?, answer = coalesce(?, answer),
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
    const to = request.citizen.email;
    // SMS and postal letters plug in here with their modules; e-mail is the channel every citizen form collects today.
    if (!to) return { sent: 0, skipped: 1, reason: `no e-mail address (reply channel ${request.replyChannel})` };
    const text = await messageFor(em, request, input.template);
    const vars = { ...baseVars(request), ...input.vars };
    // Only the acknowledgement carries the code; the database keeps its hash alone.
    if (typeof input.vars?.trackingCode === 'string') vars.trackingUrl = trackingUrl(publicUrl, request.tenantSlug, request.reference, input.vars.trackingCode);
    const sent = await sendOnce(em, request, {
      key: input.idempotencyKey,
      template: input.template,
      to,
      subject: renderText(text.subject ?? '', vars),
      body: renderText(text.body, vars),
    });
    return sent ? { sent: 1, skipped: 0 } : { sent: 0, skipped: 1, reason: 'already sent' };
  }

  async function notifyStaff(input: NotifyStaffInput): Promise<NotifyResult> {
    const em = orm.em.fork();
    const request = await requireRequest(em, input.tenantId, input.requestId);
    const department = await em.getConnection().execute('select name from department where id = ? and tenant_id = ?', [input.departmentId, input.tenantId]);
    const addresses = await resolveStaffAddresses(em, input.tenantId, input.departmentId, input.recipients);
    const text = await messageFor(em, request, input.template);
    const vars = { ...baseVars(request), departmentName: department[0]?.name ?? request.departmentName, ...input.vars };
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
    message: { key: string; template: MessageKey; to: string; subject: string; body: string },
  ): Promise<boolean> {
    const conn = em.getConnection();
    await conn.execute(
      `insert into notification (id, tenant_id, request_id, idempotency_key, channel, recipient, template, subject, status, created_at)
       values (?, ?, ?, ?, 'email', ?, ?, ?, 'pending', now()) on conflict (idempotency_key) do nothing`,
      [randomUUID(), request.tenantId, request.id, message.key, message.to, message.template, message.subject.slice(0, 300)],
    );
    const [row] = await conn.execute('select status from notification where idempotency_key = ?', [message.key]);
    if (row.status === 'sent' || row.status === 'delivered') return false;
    try {
      const providerId = await email.send({ to: message.to, subject: message.subject, text: message.body, idempotencyKey: message.key });
      await conn.execute(`update notification set status = 'sent', provider_id = ?, sent_at = now(), error = null where idempotency_key = ?`, [providerId, message.key]);
      return true;
    } catch (error) {
      await conn.execute(`update notification set status = 'failed', error = ? where idempotency_key = ?`, [(error as Error).message, message.key]);
      throw error;
    }
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
