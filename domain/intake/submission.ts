// Filing a new request: validation, limits, the case record and the start of its workflow, all or nothing.
import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { parsePhone } from '@/domain/contact/phone';
import { requestLimitsOf, type RequestLimiter } from '@/domain/antispam/request-limits';
import { linkAttachments } from '@/domain/attachments/store';
import { createWorkingCalendar } from '@/domain/deadlines/calendar';
import { computeDueAt, parseDelay } from '@/domain/deadlines/delay';
import { DEFAULT_ESCALATION_CASCADE } from '@/domain/deadlines/escalation';
import { Tenant, type IntakeChannel, type RequestKind, type RequestState, type TenantSettings } from '@/domain/entities';
import { query } from '@/domain/sql';
import { hashTrackingCode, newTrackingCode } from '@/domain/tracking-code';
import { trackingUrl } from '@/domain/urls';
import { InputError, compileValidator } from '@/domain/validation';
import { requestWorkflowId } from '@/domain/requests/contract';
import { departmentsBySlug, personalDataRead, processForRequest, type ValidatedForm } from '@/domain/processes/for-request';
import type { StoredProcess } from '@/domain/processes/store';
import type { PurchaseRef } from '@/domain/processes/workflow-contract';
import { DUPLICATE_WINDOW_MS, findDuplicate, forgetOldFingerprints, requestFingerprint, type DuplicateReceipt } from './duplicates';
import { chooseReplyChannel, findTopic, routeTo } from './routing';
import { NEW_REQUEST_SCHEMA, type NewRequestBody } from './schema';
import type { StartRequestInput, StartRequestWorkflow } from './start-input';
import type { IntakeObserver } from './observer';
import { assertCleanText } from './text';
import { recordPendingStart, startCommittedWorkflow } from './workflow-start';

/** What the citizen gets back: the same facts as the acknowledgement. */
export interface IntakeReceipt {
  reference: string;
  trackingCode: string;
  dueAt: string;
  trackingUrl: string;
}

/** What a public submission (API or portal) gets: a new request's receipt, or the one it repeats. */
export type PublicIntakeOutcome = (IntakeReceipt & { duplicate: false }) | DuplicateReceipt;

/** How a public submission is filed. */
export interface PublicSubmissionOptions {
  /**
   * The API client's address. When given (API calls), a repeat of a recent request gets its reference and the tenant's
   * limits (address, contact, tenant) apply; the portal has its own guards (single-use tokens, its own limits).
   */
  clientAddress?: string;
  /** The form the data was validated against: its version, stored with the request, and the process it names. */
  form?: ValidatedForm;
  /**
   * A purchase whose stock and payment are already held under its key (domain/payments/purchases.ts): handed to the
   * process workflow, whose payment step adopts them. A purchase repeated is a second purchase: no duplicate check.
   */
  purchase?: PurchaseRef;
}

/** How a trusted channel files a request. */
export interface TrustedSubmissionOptions {
  /** False: no acknowledgement to the citizen (an e-mail sender past the tenant's hourly limit). Default true. */
  acknowledge?: boolean;
}

/** Dependencies of the intake service. */
export interface IntakeDeps {
  orm: MikroORM;
  startWorkflow: StartRequestWorkflow;
  publicUrl: string;
  now?: () => Date;
  /** Counts public API requests against the tenant's limits; without it no limit applies. */
  limiter?: RequestLimiter;
  /**
   * Told when a workflow could not be started after the commit: the request is stored and the client gets its receipt;
   * the worker's recovery starts the workflow later (see `startPendingWorkflows`).
   */
  onStartFailure?: (error: unknown, input: StartRequestInput) => void;
  /** Told of each request filed (not of a repeat answered with its earlier reference). */
  observer?: IntakeObserver;
}

const validateBody = compileValidator<NewRequestBody>(NEW_REQUEST_SCHEMA);

/** Validates a new request body (French field errors) without touching the database; the phone comes back in E.164. */
export function validateNewRequest(body: unknown): NewRequestBody {
  const input = validateBody(body);
  // Stored in E.164 from here on: the SMS path, the reply matching and the privacy searches use it as is.
  return input.contact.phone ? { ...input, contact: { ...input.contact, phone: parsePhone(input.contact.phone) } } : input;
}

/** Creates the case record and starts its workflow, or writes nothing. */
export function createIntake(deps: IntakeDeps) {
  const now = deps.now ?? (() => new Date());

  /**
   * Validates everything and counts the API limits first, then in one transaction: the duplicate check (again, under
   * an advisory lock), the reference, the case record and its pending workflow start. The reference counter is
   * incremented inside that transaction, so a refusal at any step rolls it back: references have no gaps. The counter
   * row stays locked until commit, so a tenant's intakes take their numbers one after the other; the workflow starts
   * after the commit, so that lock is never held across a Temporal call and no workflow exists for an uncommitted row.
   */
  async function file(
    tenantSlug: string,
    body: unknown,
    channel: IntakeChannel,
    publicOptions?: PublicSubmissionOptions,
    trustedOptions: TrustedSubmissionOptions = {},
  ): Promise<IntakeReceipt | DuplicateReceipt> {
    const input = validateNewRequest(body);
    // A public text with a NUL or a lone surrogate is the sender's mistake (PostgreSQL would refuse it at insert).
    if (publicOptions) assertCleanText(input);
    const em = deps.orm.em.fork();
    const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);
    const topic = await findTopic(em, tenant.id, input.topic);
    // A purchase is priced and its stock held before filing (domain/payments/purchases.ts), never by a bare request.
    if (topic.kind === 'purchase' && !publicOptions?.purchase) {
      throw new InputError([{ path: '/topic', message: 'Ce thème sert aux achats en ligne : commandez depuis le catalogue de la commune.' }]);
    }
    const replyChannel = chooseReplyChannel(input);
    const department = await routeTo(em, tenant, topic);
    // The one rule (README, "Processes"): the form's or topic's process decides the delay, routing and validation.
    const process = await processForRequest(deps.orm, em, tenant.id, topic, publicOptions?.form);
    const receivedAt = now();
    const promise = process?.definition.guaranteedDelay ?? { delay: topic.delay, businessDays: topic.businessDays };
    const dueAt = computeDueAt({ receivedAt, ...promise, calendar: calendarOf(tenant.settings) });
    const kind = (process?.definition.kind ?? topic.kind) as RequestKind;
    const processPart = process ? await processInput(em, tenant.id, process, input, channel) : undefined;
    const formData = input.data ? JSON.stringify(input.data) : null;
    const apiClient = publicOptions?.clientAddress;
    const fingerprint = apiClient !== undefined && !publicOptions?.purchase ? requestFingerprint(input) : undefined;
    const trackingCode = newTrackingCode();
    const requestId = randomUUID();

    await assertAttachable(em, tenant.id, input.attachments ?? []);
    const since = new Date(receivedAt.getTime() - DUPLICATE_WINDOW_MS);
    // A repeat seen before counting: resending the same request does not eat into the limits.
    const earlier = fingerprint ? await findDuplicate(em, tenant.id, fingerprint, since) : undefined;
    if (earlier) return earlier;
    if (apiClient !== undefined && deps.limiter) {
      // Outside the transaction: the limiter takes its own pooled connection, which must not wait behind a held one.
      await deps.limiter.consume({
        tenantId: tenant.id,
        limits: requestLimitsOf(tenant.settings),
        address: apiClient,
        contacts: [input.contact.email, input.contact.phone],
      });
    }

    const outcome = await em.transactional(async (tx): Promise<DuplicateReceipt | { receipt: IntakeReceipt; start: StartRequestInput }> => {
      // Raw SQL in the intake transaction, measured by bench/intake: advisory lock (no ORM form) and the request's single insert.
      const run = (sql: string, params: unknown[]) => tx.getConnection().execute(sql, params, 'all', tx.getTransactionContext());
      if (fingerprint) {
        // Two identical posts at once queue here: the second sees the first's fingerprint once it commits.
        await run('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`request-fingerprint:${tenant.id}:${fingerprint}`]);
        const existing = await findDuplicate(tx, tenant.id, fingerprint, since);
        if (existing) return existing;
      }
      const reference = await nextReference(tx, tenant.id, receivedAt);
      const workflowId = requestWorkflowId(tenant.slug, reference);
      await run(
        `insert into request (id, tenant_id, reference, tracking_code_hash, kind, channel, reply_channel, topic_id, subject, body,
                              form_data, form_version, process_slug, process_version, citizen, state, department_id, due_at, received_at,
                              workflow_id, consent_at, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?, now(), now())`,
        [
          requestId, tenant.id, reference, hashTrackingCode(trackingCode), kind, channel, replyChannel, topic.id,
          input.subject.trim(), input.message, formData, publicOptions?.form?.version ?? null, process?.slug ?? null, process?.version ?? null,
          JSON.stringify(input.contact), department.id, dueAt, receivedAt, workflowId, input.consent ? receivedAt : null,
        ],
      );
      if (fingerprint) await run('insert into request_fingerprint (tenant_id, fingerprint, request_id, created_at) values (?, ?, ?, ?)', [tenant.id, fingerprint, requestId, receivedAt]);
      await linkAttachments(tx, tenant.id, requestId, input.attachments ?? []);
      const start: StartRequestInput = {
        workflowId,
        tenantId: tenant.id,
        tenantSlug: tenant.slug,
        requestId,
        reference,
        trackingCode,
        receivedAt: receivedAt.toISOString(),
        dueAt: dueAt.toISOString(),
        department: { id: department.id, slug: department.slug },
        // A process's own validate steps decide; this flag is read only by the topic-settings workflow.
        validationRequired: process ? false : topic.validationRequired || tenant.settings.validationRequired,
        stopClockWhileAwaitingCitizen: tenant.settings.stopClockWhileAwaitingCitizen,
        citizenNotifications: (tenant.settings.citizenNotifications ?? []) as RequestState[],
        escalation: process?.definition.escalation ?? department.escalation ?? DEFAULT_ESCALATION_CASCADE,
        autoCloseAfterMs: durationMs(tenant.settings.autoCloseAfter),
        kind,
        replyChannel,
        ...processPart,
        ...(publicOptions?.purchase && processPart ? { purchase: publicOptions.purchase } : {}),
        // Only when false: the inputs of other requests stay as they were.
        ...(trustedOptions.acknowledge === false ? { acknowledge: false as const } : {}),
      };
      await recordPendingStart(tx, tenant.id, start);
      const receipt: IntakeReceipt = {
        reference,
        trackingCode,
        dueAt: dueAt.toISOString(),
        trackingUrl: trackingUrl(deps.publicUrl, tenant.slug, reference, trackingCode),
      };
      return { receipt, start };
    });
    if ('duplicate' in outcome) return outcome;
    deps.observer?.requestFiled({ tenantSlug: tenant.slug, channel });
    // After the commit: the worker never sees a request that is not stored yet, and a failed start leaves the request
    // and its pending start behind for the recovery; the citizen keeps the receipt either way.
    const started = await startCommittedWorkflow(em, deps.startWorkflow, outcome.start);
    if (!started.started) (deps.onStartFailure ?? logStartFailure)(started.error, outcome.start);
    // Housekeeping: the request is filed whatever happens here, so a failure (the database gone since the commit) is
    // logged, never turned into a refusal of a request the worker will acknowledge.
    if (fingerprint) await forgetOldFingerprints(em).catch(logHousekeepingFailure);
    return outcome.receipt;
  }

  /** Files a request from a trusted channel (SMS, e-mail, counter): no duplicate check, no API limit. */
  async function submitRequest(tenantSlug: string, body: unknown, channel: IntakeChannel = 'web', options: TrustedSubmissionOptions = {}): Promise<IntakeReceipt> {
    return (await file(tenantSlug, body, channel, undefined, options)) as IntakeReceipt;
  }

  /**
   * Files a request from the public (API, portal); for an API client (a client address is given) an honest duplicate
   * gets the existing reference and the tenant's limits apply (SpamRefusal past them).
   */
  async function submitPublicRequest(tenantSlug: string, body: unknown, channel: IntakeChannel, options: PublicSubmissionOptions = {}): Promise<PublicIntakeOutcome> {
    const outcome = await file(tenantSlug, body, channel, options);
    return 'duplicate' in outcome ? outcome : { ...outcome, duplicate: false };
  }

  return { submitRequest, submitPublicRequest };
}

function logHousekeepingFailure(error: unknown): void {
  console.warn('old duplicate fingerprints not deleted this time; a later request will', error);
}

function logStartFailure(error: unknown, input: StartRequestInput): void {
  console.warn(`request workflow ${input.workflowId} not started yet; the worker's recovery will start it`, error);
}

// Checked before anything is counted or allocated; linkAttachments checks again inside the transaction (a file could be
// taken by another request in between, and then the transaction rolls back).
async function assertAttachable(em: EntityManager, tenantId: string, ids: string[]): Promise<void> {
  if (!ids.length) return;
  const unique = [...new Set(ids)];
  // Raw SQL: ids compared as text, so that one that is not a uuid counts as missing instead of failing the statement.
  const [row] = await query<{ n: number }>(
    em,
    `select count(*)::int as n from attachment where tenant_id = ? and request_id is null and id::text in (${unique.map(() => '?').join(', ')})`,
    [tenantId, ...unique],
  );
  if (row.n !== unique.length) throw new InputError([{ path: '/attachments', message: 'Une pièce jointe est introuvable ou déjà utilisée : merci de la joindre à nouveau.' }]);
}

/**
 * What a process workflow reads beyond the request workflow's input: the definition itself, kept in its history, and
 * the form's data and the citizen's contact only when its expressions read them (personal data in Temporal's history).
 */
async function processInput(em: EntityManager, tenantId: string, process: StoredProcess, input: NewRequestBody, channel: IntakeChannel) {
  const reads = personalDataRead(process.definition);
  return {
    process: { slug: process.slug, version: process.version, definition: process.definition },
    departments: await departmentsBySlug(em, tenantId),
    ...(reads.data && input.data ? { formData: input.data as Record<string, unknown> } : {}),
    ...(reads.citizen ? { citizen: { ...input.contact } as Record<string, unknown> } : {}),
    channel,
  };
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

// Inside the intake transaction: the counter row stays locked until commit (never across a Temporal call), and a rollback
// gives the number back.
async function nextReference(tx: EntityManager, tenantId: string, at: Date): Promise<string> {
  const year = at.getUTCFullYear();
  const [row] = await query<{ value: number }>(
    tx,
    `insert into reference_counter (tenant_id, year, value) values (?, ?, 1)
     on conflict (tenant_id, year) do update set value = reference_counter.value + 1 returning value`,
    [tenantId, year],
  );
  return `${year}-${String(row.value).padStart(6, '0')}`;
}

function durationMs(iso: string | undefined): number {
  return parseDelay(iso ?? 'P30D').as('milliseconds');
}
