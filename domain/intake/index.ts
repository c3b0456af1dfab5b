import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { linkAttachments } from '../attachments';
import { createWorkingCalendar } from '../deadlines/calendar';
import { computeDueAt, parseDelay } from '../deadlines/delay';
import { DEFAULT_ESCALATION_CASCADE, type EscalationStep } from '../deadlines/escalation';
import type { IntakeChannel, ReplyChannel, RequestKind, RequestState, TenantSettings } from '../entities';
import { query } from '../sql';
import { hashTrackingCode, newTrackingCode } from '../tracking-code';
import { trackingUrl } from '../urls';
import { InputError, NotFoundError, compileValidator } from '../validation';
import type { RequestWorkflowInput } from '../../workflows/request/definitions';
import { NEW_REQUEST_SCHEMA, type NewRequestBody } from './schema';

/** The workflow input the intake hands to Temporal, with the workflow id it must run under. */
export type StartRequestInput = RequestWorkflowInput & { workflowId: string; kind: RequestKind; replyChannel: ReplyChannel };

/** Starts the request workflow; rejects when Temporal refuses. */
export type StartRequestWorkflow = (input: StartRequestInput) => Promise<void>;

/** What the citizen gets back: the same facts as the acknowledgement. */
export interface IntakeReceipt {
  reference: string;
  trackingCode: string;
  dueAt: string;
  trackingUrl: string;
}

/** Dependencies of the intake service. */
export interface IntakeDeps {
  orm: MikroORM;
  startWorkflow: StartRequestWorkflow;
  publicUrl: string;
  now?: () => Date;
}

/** Validates a new request body (French field errors) without touching the database. */
export const validateNewRequest = compileValidator<NewRequestBody>(NEW_REQUEST_SCHEMA);

/** Creates the case record and starts its workflow, or writes nothing. */
export function createIntake(deps: IntakeDeps) {
  const now = deps.now ?? (() => new Date());

  async function submitRequest(tenantSlug: string, body: unknown, channel: IntakeChannel = 'web'): Promise<IntakeReceipt> {
    const input = validateNewRequest(body);
    const em = deps.orm.em.fork();
    const tenant = await findTenant(em, tenantSlug);
    const topic = await findTopic(em, tenant.id, input.topic);
    const replyChannel = chooseReplyChannel(input);
    const department = await routeTo(em, tenant, topic);
    const receivedAt = now();
    const dueAt = computeDueAt({
      receivedAt,
      delay: topic.delay,
      businessDays: topic.business_days,
      calendar: calendarOf(tenant.settings),
    });
    const reference = await nextReference(em, tenant.id, receivedAt);
    const trackingCode = newTrackingCode();
    const requestId = randomUUID();
    const workflowId = `request:${tenant.slug}:${reference}`;

    await em.transactional(async (tx) => {
      await tx.getConnection().execute(
        `insert into request (id, tenant_id, reference, tracking_code_hash, kind, channel, reply_channel, topic_id, subject, body,
                              form_data, citizen, state, department_id, due_at, received_at, workflow_id, consent_at, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?, now(), now())`,
        [
          requestId, tenant.id, reference, hashTrackingCode(trackingCode), topic.kind, channel, replyChannel, topic.id,
          input.subject.trim(), input.message, input.data ? JSON.stringify(input.data) : null, JSON.stringify(input.contact),
          department.id, dueAt, receivedAt, workflowId, input.consent ? receivedAt : null,
        ],
        'run',
        // Without the context MikroORM runs raw SQL on another pooled connection, outside this transaction.
        tx.getTransactionContext(),
      );
      await linkAttachments(tx, tenant.id, requestId, input.attachments ?? []);
      // Started inside the transaction: if Temporal refuses, the row is rolled back and nothing is left half-written.
      await deps.startWorkflow({
        workflowId,
        tenantId: tenant.id,
        tenantSlug: tenant.slug,
        requestId,
        reference,
        trackingCode,
        receivedAt: receivedAt.toISOString(),
        dueAt: dueAt.toISOString(),
        department: { id: department.id, slug: department.slug },
        validationRequired: topic.validation_required || tenant.settings.validationRequired,
        stopClockWhileAwaitingCitizen: tenant.settings.stopClockWhileAwaitingCitizen,
        citizenNotifications: (tenant.settings.citizenNotifications ?? []) as RequestState[],
        escalation: department.escalation ?? DEFAULT_ESCALATION_CASCADE,
        autoCloseAfterMs: durationMs(tenant.settings.autoCloseAfter),
        kind: topic.kind as RequestKind,
        replyChannel,
      });
    });

    return {
      reference,
      trackingCode,
      dueAt: dueAt.toISOString(),
      trackingUrl: trackingUrl(deps.publicUrl, tenant.slug, reference, trackingCode),
    };
  }

  return { submitRequest };
}

interface TenantRow {
  id: string;
  slug: string;
  settings: TenantSettings;
}

interface TopicRow {
  id: string;
  kind: string;
  delay: string;
  business_days: boolean;
  validation_required: boolean;
  department_id: string;
}

interface DepartmentRow {
  id: string;
  slug: string;
  escalation: EscalationStep[] | null;
}

const calendars = new Map<string, ReturnType<typeof createWorkingCalendar>>();

// Building a calendar loads the holiday rules; one per tenant configuration is enough.
function calendarOf(settings: TenantSettings) {
  const key = JSON.stringify([settings.timeZone, settings.closureDays ?? []]);
  let calendar = calendars.get(key);
  if (!calendar) {
    calendar = createWorkingCalendar({ timeZone: settings.timeZone, closureDays: settings.closureDays ?? [] });
    if (calendars.size > 1000) calendars.clear();
    calendars.set(key, calendar);
  }
  return calendar;
}

/** Loads a tenant by slug or throws NotFoundError. */
export async function findTenant(em: EntityManager, slug: string): Promise<TenantRow> {
  const [tenant] = await query<TenantRow>(em, 'select id, slug, settings from tenant where slug = ?', [slug]);
  if (!tenant) throw new NotFoundError(`Unknown tenant ${slug}`);
  return tenant;
}

async function findTopic(em: EntityManager, tenantId: string, slug: string): Promise<TopicRow> {
  const [topic] = await query<TopicRow>(
    em,
    'select id, kind, delay, business_days, validation_required, department_id from topic where tenant_id = ? and slug = ? and active', [tenantId, slug]);
  if (!topic) throw new InputError([{ path: '/topic', message: "Ce thème n'existe pas dans cette commune." }]);
  return topic;
}

async function routeTo(em: EntityManager, tenant: TenantRow, topic: TopicRow): Promise<DepartmentRow> {
  if (tenant.settings.organisation === 'centralised' && tenant.settings.receptionDepartment) {
    const [reception] = await query<DepartmentRow>(em, 'select id, slug, escalation from department where tenant_id = ? and slug = ?', [
      tenant.id,
      tenant.settings.receptionDepartment,
    ]);
    if (reception) return reception;
  }
  const [department] = await query<DepartmentRow>(em, 'select id, slug, escalation from department where id = ? and tenant_id = ?', [topic.department_id, tenant.id]);
  return department;
}

function chooseReplyChannel(input: NewRequestBody): ReplyChannel {
  const channel = input.channel ?? (input.contact.email ? 'email' : 'sms');
  const missing: Record<ReplyChannel, [keyof NewRequestBody['contact'], string]> = {
    email: ['email', 'Indiquez une adresse électronique pour recevoir la réponse par courriel.'],
    sms: ['phone', 'Indiquez un numéro de mobile pour recevoir la réponse par SMS.'],
    post: ['postalAddress', 'Indiquez une adresse postale pour recevoir la réponse par courrier.'],
  };
  const [field, message] = missing[channel];
  if (!input.contact[field]) throw new InputError([{ path: `/contact/${field}`, message }]);
  return channel;
}

async function nextReference(em: EntityManager, tenantId: string, at: Date): Promise<string> {
  const year = at.getUTCFullYear();
  // Its own short statement, outside the intake transaction, so concurrent intakes do not queue on the counter row.
  const [row] = await em.getConnection().execute(
    `insert into reference_counter (tenant_id, year, value) values (?, ?, 1)
     on conflict (tenant_id, year) do update set value = reference_counter.value + 1 returning value`,
    [tenantId, year],
  );
  return `${year}-${String(row.value).padStart(6, '0')}`;
}

function durationMs(iso: string | undefined): number {
  return parseDelay(iso ?? 'P30D').as('milliseconds');
}
