/**
 * The process interpreter: one citizen request walked through the process definition it started with.
 *
 * Versioning: the definition is part of the workflow input, so a running request never changes process and a new
 * version of a process applies to new requests only. Requests started before processes existed keep running as
 * `requestWorkflow` (workflows/request/workflow.ts), another workflow type the worker still registers; their recorded
 * histories keep replaying against it. New requests start `processWorkflow`. No `patched()` is needed here yet: this
 * workflow type has no runs recorded under an earlier version of its code.
 *
 * Concurrency follows the request workflow: agent actions are updates whose validators refuse, before history, what
 * the current step does not allow; the same check runs again under one lock, which also serialises the automatic
 * steps, the timers' moves, the citizen's reply and the payment signal. Every move to another step happens under the
 * lock and performs the new step's entry (state, messages) before the lock is released, so no action is ever checked
 * against a step that is half entered.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { Mutex } from 'async-mutex';
import type { DocumentActivities } from '@/activities/documents/document-activities';
import type { PaymentActivities, PaymentStatus, StartedPayment } from '@/activities/payment/payment-activities';
import type { ExportActivities } from '@/activities/exports/export-activities';
import type { ProcessActivities } from '@/activities/process/process-activities';
import type { RequestActivities } from '@/activities/request/request-activities';
import { planEscalation, type EscalationStep, type PlannedEscalation } from '@/domain/deadlines/escalation';
import type { CitizenTemplate } from '@/domain/notifications/templates';
import type { MessageChannel, ProcessStep } from '@/domain/processes/definition';
import type { RequestState } from '@/domain/requests/kinds';
import { DEPARTMENT_ATTRIBUTE, STATE_ATTRIBUTE } from '@/workflows/search-attributes';
import { ACTIVITY_PROFILES } from '@/workflows/request/profiles';
import {
  acceptRegistrationUpdate,
  addNoteUpdate,
  answerRequestUpdate,
  approveAnswerUpdate,
  askCitizenUpdate,
  citizenReplySignal,
  closeRequestUpdate,
  currentStepQuery,
  openRequestUpdate,
  paymentSettledSignal,
  recordRefundUpdate,
  rejectRegistrationUpdate,
  resendNotificationUpdate,
  returnDraftUpdate,
  saveDraftUpdate,
  snapshotQuery,
  submitForValidationUpdate,
  transferRequestUpdate,
  type ActionInput,
  type ActionResult,
  type Actor,
  type CurrentStep,
  type DepartmentRef,
  type ProcessAction,
  type ProcessWorkflowInput,
  type ResendInput,
} from './definitions';
import { allowedActions, centsOf, durationMs, evaluateExpression, expressionContext, instantOf, notAtThisStep, RESTING_KINDS, routeOf } from './steps';

// Regular activities, not local ones: a local activity's result may be replayed at another point of the run than it
// was first delivered (another workflow time, another order against the concurrent branches of a process), which the
// property test of random processes showed as non-determinism. The request workflow keeps its local projection.
const projection = proxyActivities<RequestActivities>(ACTIVITY_PROFILES.projection);
const mail = proxyActivities<RequestActivities>(ACTIVITY_PROFILES.notification);
const documents = proxyActivities<DocumentActivities>(ACTIVITY_PROFILES.pdf);
const exports = proxyActivities<ExportActivities>(ACTIVITY_PROFILES.export);
const deadlines = proxyActivities<ProcessActivities>(ACTIVITY_PROFILES.projection);
const payments = proxyActivities<PaymentActivities>(ACTIVITY_PROFILES.payment);

// Without a notification, the provider is asked this often until the payment window closes.
const PAYMENT_POLL_MS = 30_000;
const PAYMENT_UNAVAILABLE = 'Le paiement en ligne est momentanément indisponible.';

const ACCEPTED_REGISTRATION = 'Votre inscription est acceptée. Vous recevrez prochainement les informations pratiques.';
// An agent resends a lost message by hand; a bound keeps a mistaken loop from flooding the citizen.
const MAX_RESENDS = 10;
// The answer and the questions to the citizen have messages of their own; other states are announced once each.
const OWN_MESSAGE: RequestState[] = ['answered', 'awaiting_citizen'];
const CITIZEN_TEMPLATES: CitizenTemplate[] = ['acknowledgement', 'state_changed', 'information_requested', 'answer'];
const CLOSE_STATES = { answered: 'answered', closed: 'closed', rejected: 'rejected', abandoned: 'closed' } as const;
const CLOSE_EVENTS = { answered: 'completed', closed: 'closed', rejected: 'rejected', abandoned: 'abandoned' } as const;

/** What moved the request to a step: recorded once, with the state the new step gives. */
interface Cause {
  type: string;
  actor: Actor | string;
  data?: Record<string, unknown>;
  public?: boolean;
}

/** One citizen request, walked through its process from `start` to a `close` step. */
export async function processWorkflow(input: ProcessWorkflowInput): Promise<RequestState> {
  const id = workflowInfo().workflowId;
  const definition = input.process.definition;
  const steps = new Map(definition.steps.map((step) => [step.id, step]));
  const context = expressionContext(input);

  let state: RequestState = 'received';
  let department: DepartmentRef = input.department;
  let dueAt = Date.parse(input.dueAt);
  let plan: PlannedEscalation[] = planFor(input.receivedAt, input.dueAt, input.escalation);
  const remindersSent: number[] = [];

  let current: ProcessStep = stepOf(definition.start);
  // Counts the entries into steps: a timer or a waiter started at one entry acts only if the run is still there.
  let visit = 0;
  let stepDueAt: number | undefined;
  let stepPlan: PlannedEscalation[] = [];
  let wakeAt: number | undefined;

  let inCharge: string | undefined;
  let draft: { body: string; authorId: string } | undefined;
  let validationComment: string | undefined;
  let level = 0;
  let answer: string | undefined;
  let answerSent = false;
  let decision: 'accepted' | 'refused' | undefined;
  let asked = false;
  let askedAt = 0;
  let lastQuestion: string | undefined;
  let stateBeforeWaiting: RequestState = 'in_progress';
  let pausedSince: number | undefined;
  let ended = false;
  // A step is being entered (its state, messages and deadline): nothing may wait or act on it before that is done.
  let entering = false;
  let departmentNotified = false;
  let eventCount = 0;
  let resends = 0;
  // The payment of the current collect_payment entry: its key and window, or why none could be created.
  let collecting: { visit: number; key?: string; expiresAt?: number; stepEndsAt?: number; refusal?: string; offline?: boolean; adopted?: boolean } | undefined;
  // Bumped by each payment notification: the waiting step asks the provider at once instead of at its next poll.
  let paymentNudges = 0;
  // What collect_payment steps cashed and what agents recorded as refunded, in cents: refunds never exceed payments.
  let paidCents = 0;
  let refundedCents = 0;
  // The purchase of the input (POST /purchases) is paid once: a later collect_payment step makes its own payment.
  let purchaseAdopted = false;
  const announced = new Set<RequestState>();
  const background: Promise<void>[] = [];
  const lock = new Mutex();

  function stepOf(stepId: string): ProcessStep {
    const step = steps.get(stepId);
    // The definition was checked at import; a missing step is a bug in the checks, not the citizen's problem.
    if (!step) throw ApplicationFailure.nonRetryable(`Process ${input.process.slug} v${input.process.version} has no step "${stepId}"`, 'InvalidProcess');
    return step;
  }

  const settled = () => ended || answerSent;
  const clockStopped = () => pausedSince !== undefined;
  // The visit whose close step has been applied (its state set): until then an action's result would show the state before.
  let closedVisit = -1;
  const atRest = () => ended || (!entering && RESTING_KINDS.has(current.kind) && (current.kind !== 'close' || closedVisit === visit));

  // --- Projection -------------------------------------------------------------------------------------------------

  async function record(type: string, actor: string | undefined, options: { public?: boolean; data?: Record<string, unknown> } = {}) {
    eventCount += 1;
    await projection.recordRequestEvent({
      tenantId: input.tenantId,
      requestId: input.requestId,
      key: `${eventCount}:${type}`,
      type,
      public: options.public ?? false,
      actor,
      state,
      departmentId: department.id,
      dueAt: new Date(dueAt).toISOString(),
      answer,
      data: { processStep: current.id, ...options.data },
    });
  }

  async function changeState(next: RequestState, cause: Cause) {
    const previous = state;
    state = next;
    upsertSearchAttributes({ [STATE_ATTRIBUTE.name]: [state], [DEPARTMENT_ATTRIBUTE.name]: [department.slug] });
    await record(cause.type, actorId(cause.actor), { public: cause.public ?? previous !== next, data: cause.data });
    if (previous !== next && input.citizenNotifications.includes(next) && !OWN_MESSAGE.includes(next) && !announced.has(next)) {
      announced.add(next);
      await mail.notifyCitizen({ tenantId: input.tenantId, requestId: input.requestId, template: 'state_changed', idempotencyKey: `${id}:state:${next}`, vars: { state: next } });
    }
  }

  /**
   * Records the cause, with the new state when the step brings one. An automatic step that moves on gives no cause:
   * its own record (a document, the answer sent) says what happened, and the timeline stays short.
   */
  async function note(cause: Cause | undefined, next?: RequestState) {
    if (next && next !== state) await changeState(next, cause ?? { type: 'step_entered', actor: 'system' });
    else if (cause) await record(cause.type, actorId(cause.actor), { public: cause.public, data: cause.data });
  }

  function result(): ActionResult {
    return { state, dueAt: new Date(dueAt).toISOString() };
  }

  // --- Clock ------------------------------------------------------------------------------------------------------

  function pauseClock() {
    if (input.stopClockWhileAwaitingCitizen && pausedSince === undefined) pausedSince = Date.now();
  }

  /** Restarts a stopped clock: the due dates and the reminders still ahead move by the pause. */
  function resumeClock() {
    if (pausedSince === undefined) return;
    const paused = Date.now() - pausedSince;
    pausedSince = undefined;
    dueAt += paused;
    plan = plan.map((step) => (remindersSent.includes(step.stepIndex) ? step : { ...step, fireAt: new Date(step.fireAt.getTime() + paused) }));
    if (stepDueAt !== undefined) stepDueAt += paused;
    stepPlan = stepPlan.map((step) => ({ ...step, fireAt: new Date(step.fireAt.getTime() + paused) }));
  }

  // --- Moving through the graph (always under the lock) -----------------------------------------------------------

  /** Leaves the current step for `stepId`, recording `cause`, and performs the new step's entry. */
  async function goTo(stepId: string, cause?: Cause) {
    entering = true;
    try {
      await moveTo(stepId, cause);
    } finally {
      entering = false;
    }
  }

  async function moveTo(stepId: string, cause?: Cause) {
    resumeClock();
    const next = stepOf(stepId);
    // The entry count moves first: the timers of the step being left stop acting from here.
    visit += 1;
    level = 0;
    asked = false;
    wakeAt = undefined;
    let dueAtOfStep: number | undefined;
    let planOfStep: PlannedEscalation[] = [];
    if (next.delay && RESTING_KINDS.has(next.kind) && next.kind !== 'close') {
      const from = new Date(Date.now()).toISOString();
      // The plan is made from what the activity returns (kept in history), never from the clock read here: an
      // activity's result may be replayed at another workflow time than it was first delivered.
      const deadline = await deadlines.stepDeadline({ tenantId: input.tenantId, from, delay: next.delay.delay, businessDays: next.delay.businessDays });
      dueAtOfStep = Date.parse(deadline.dueAt);
      planOfStep = next.escalation?.length ? planFor(deadline.from, deadline.dueAt, next.escalation) : [];
    }
    // The query shows the new step together with its deadline, never one without the other.
    current = next;
    stepDueAt = dueAtOfStep;
    stepPlan = planOfStep;
    await enter(current, cause);
  }

  /** The state a resting step gives on entry, its messages and the cause's record. */
  async function enter(step: ProcessStep, cause: Cause | undefined) {
    switch (step.kind) {
      case 'answer':
      case 'decide':
        await note(cause, inCharge ? 'in_progress' : neutral());
        await noticeToDepartment();
        return;
      case 'validate':
        validationComment = undefined;
        await note(cause, 'awaiting_validation');
        return;
      case 'request_information':
        await note(cause, neutral());
        if (step.template) await askCitizen(step.label, 'system', step.template);
        return;
      case 'collect_payment': {
        await note(cause);
        await startPayment(step);
        return;
      }
      case 'wait':
        await note(cause, neutral());
        wakeAt = await wakeTime(step);
        return;
      default:
        await note(cause, neutral());
    }
  }

  /** Leaving a step that waited for the citizen, a validator or a payment: the request is in progress again. */
  function neutral(): RequestState | undefined {
    return state === 'awaiting_citizen' || state === 'awaiting_validation' || state === 'awaiting_payment' ? 'in_progress' : undefined;
  }

  /**
   * Creates the payment of a collect_payment entry: the activity works the amount out (catalogue or step), holds the
   * stock and asks PayFiP for the payment page. A refusal (stock, configuration) is kept for `rest`, which moves on.
   */
  async function startPayment(step: Extract<ProcessStep, { kind: 'collect_payment' }>) {
    // A purchase's hold and payment were made by the intake under their own key: the first such step adopts them
    // (attempt 1, as the intake made them). Runs without a purchase in their input take the branch they always took.
    const purchase = input.purchase && !step.product && !purchaseAdopted ? input.purchase : undefined;
    if (purchase) purchaseAdopted = true;
    const key = purchase ? purchase.key : `${id}:payment:${visit}`;
    const stepEndsAt = Date.now() + durationMs(step.timeout);
    const email = purchase ? purchase.email : typeof input.citizen?.email === 'string' ? input.citizen.email : undefined;
    let started: StartedPayment;
    try {
      started = await payments.startPayment({
        tenantId: input.tenantId,
        requestId: input.requestId,
        requestReference: input.reference,
        key,
        attempt: purchase ? 1 : visit,
        label: purchase ? purchase.label : step.label,
        amount: step.product || purchase ? undefined : typeof step.amount === 'number' ? centsOf(step.amount) : evaluateAmount(step.amount),
        product: purchase ? purchase.product : step.product,
        quantity: purchase ? purchase.quantity : quantityOf(step.quantity),
        data: purchase ? purchase.data : input.formData,
        email,
        expiresInMs: durationMs(step.timeout),
      });
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      log.warn('payment not created', { key, error: error.cause?.message });
      started = { kind: 'refused', reason: 'unavailable', message: PAYMENT_UNAVAILABLE };
    }
    if (started.kind === 'refused') {
      collecting = { visit, refusal: started.message };
      return;
    }
    if (started.kind === 'offline') {
      collecting = { visit, offline: true };
      await changeState('awaiting_payment', { type: 'payment_requested', actor: 'system', public: true, data: { amount: started.amount, label: step.label, online: false } });
      return;
    }
    collecting = { visit, key, expiresAt: Date.parse(started.expiresAt), stepEndsAt, ...(purchase ? { adopted: true } : {}) };
    await changeState('awaiting_payment', {
      type: 'payment_requested',
      actor: 'system',
      public: true,
      data: { amount: started.amount, label: step.label, paymentUrl: started.paymentUrl, reference: started.reference, expiresAt: started.expiresAt },
    });
  }

  function quantityOf(quantity: number | string | undefined): number | undefined {
    if (quantity === undefined || typeof quantity === 'number') return quantity;
    const outcome = evaluateExpression(quantity, context);
    const value = outcome.ok ? Number(outcome.value) : NaN;
    return Number.isInteger(value) && value >= 1 ? value : undefined;
  }

  function evaluateAmount(expression: string): number | undefined {
    const outcome = evaluateExpression(expression, context);
    return outcome.ok ? centsOf(outcome.value) : undefined;
  }

  async function wakeTime(step: Extract<ProcessStep, { kind: 'wait' }>): Promise<number> {
    if (step.duration) return Date.now() + durationMs(step.duration);
    const outcome = step.until ? evaluateExpression(step.until, context) : { ok: false as const, error: 'no duration nor until' };
    const instant = outcome.ok ? instantOf(outcome.value) : undefined;
    if (instant === undefined) {
      // A date the citizen did not give (or gave badly) must not hold the request: the wait ends at once, and says why.
      await record('wait_date_missing', 'system', { data: { error: outcome.ok ? `not a date: ${String(outcome.value)}` : outcome.error } });
      return Date.now();
    }
    return instant;
  }

  async function noticeToDepartment() {
    if (departmentNotified) return;
    departmentNotified = true;
    await mail.notifyStaff({
      tenantId: input.tenantId,
      requestId: input.requestId,
      departmentId: department.id,
      template: 'new_request',
      recipients: ['department'],
      idempotencyKey: `${id}:arrival`,
    });
  }

  async function askCitizen(question: string, actor: Actor | string, template: string = 'information_requested') {
    if (state !== 'awaiting_citizen') stateBeforeWaiting = state === 'received' || state === 'transferred' ? 'in_progress' : state;
    pauseClock();
    lastQuestion = question;
    if (current.kind === 'request_information') {
      asked = true;
      askedAt = Date.now();
    }
    await changeState('awaiting_citizen', { type: 'information_requested', actor, data: { question }, public: true });
    const key = `${id}:ask:${eventCount}`;
    await sendToCitizen(template, key, { question });
  }

  // --- Automatic steps (run by the main loop, under the lock) ---------------------------------------------------

  async function runAutomatic(step: ProcessStep) {
    switch (step.kind) {
      case 'acknowledge':
        await acknowledge(step.channels);
        return goTo(step.next);
      case 'route': {
        const route = routeOf(step, context);
        const target = input.departments[route.department];
        if (!target) {
          await record('route_failed', 'system', { data: { department: route.department, errors: route.errors } });
          return goTo(step.next);
        }
        const errors = route.errors.length ? { errors: route.errors } : {};
        // The department the intake chose is already on the case record: only a change (or a rule's trouble) is recorded.
        if (target.id === department.id) return goTo(step.next, route.errors.length ? { type: 'routed', actor: 'system', data: { department: target.slug, rule: route.rule, ...errors } } : undefined);
        department = target;
        upsertSearchAttributes({ [STATE_ATTRIBUTE.name]: [state], [DEPARTMENT_ATTRIBUTE.name]: [department.slug] });
        return goTo(step.next, { type: 'routed', actor: 'system', data: { department: target.slug, rule: route.rule, ...errors } });
      }
      case 'issue_document':
        await issueDocument(step.template);
        return goTo(step.next);
      case 'export':
        // The agent and the citizen need not wait for a business system that may be down for days: the export
        // retries on its own (up to a week) and records its outcome, while the process goes on.
        background.push(exportRequest(step.connector));
        return goTo(step.next);
      case 'notify':
        await notify(step.template, step.channel);
        return goTo(step.next);
      default:
        throw ApplicationFailure.nonRetryable(`Step kind ${step.kind} is not automatic`, 'InvalidProcess');
    }
  }

  async function acknowledge(channels: MessageChannel[]) {
    if (input.acknowledge === false) return;
    const base = { tenantId: input.tenantId, requestId: input.requestId, template: 'acknowledgement' as const, vars: { trackingCode: input.trackingCode } };
    await Promise.all(
      channels.map(async (channel) => {
        if (channel === 'post') {
          await tolerate('acknowledgement_letter', async () => {
            const letter = await documents.renderAcknowledgement({ tenantId: input.tenantId, requestId: input.requestId, idempotencyKey: `${id}:ack-letter` });
            await record('document_ready', 'system', { public: true, data: { documentId: letter.documentId } });
          });
          return;
        }
        // The citizen's channel keeps the request workflow's key: a message sent by either type is never sent twice.
        const key = channel === 'reply' ? `${id}:ack` : `${id}:ack:${channel}`;
        await tolerate('acknowledgement', () => mail.notifyCitizen({ ...base, idempotencyKey: key, ...(channel === 'reply' ? {} : { channel }) }));
      }),
    );
  }

  async function issueDocument(template: string) {
    const base = { tenantId: input.tenantId, requestId: input.requestId };
    await tolerate('document', async () => {
      if (template === 'answer-letter') {
        const letter = await documents.renderAnswerLetter({ ...base, idempotencyKey: `${id}:letter:${visit}`, answer: answer ?? draft?.body });
        if (letter.documentId) await record('letter_ready', 'system', { public: true, data: { documentId: letter.documentId } });
      } else {
        // `certificate` and a form's own document template: the activity picks the form's template when it has one.
        const certificate = await documents.renderCertificate({ ...base, idempotencyKey: `${id}:certificate:${visit}` });
        await record('document_ready', 'system', { public: true, data: { documentId: certificate.documentId, template } });
      }
    });
  }

  async function exportRequest(connector: string) {
    try {
      // The activity exports through the request's form connector; the step's connector name is recorded with it.
      const outcome = await exports.exportRegistration({ tenantId: input.tenantId, requestId: input.requestId, idempotencyKey: `${id}:export:${connector}` });
      // Under the lock like every other change: the outcome is recorded between two steps, never amid one.
      await lock.runExclusive(() => record(outcome.status === 'skipped' ? 'export_skipped' : 'exported', 'system', { data: { ...outcome, connectorName: connector } }));
    } catch (error) {
      await lock.runExclusive(() => record('export_failed', 'system', { data: { error: (error as Error).message, connectorName: connector } }));
    }
  }

  async function notify(template: string, channel: MessageChannel) {
    const forced = channel === 'email' || channel === 'sms' ? { channel } : {};
    if (template !== 'answer') {
      await sendToCitizen(template, `${id}:notify:${visit}`, { state }, forced);
      return;
    }
    const body = draft?.body ?? answer;
    if (body === undefined) {
      await record('notification_skipped', 'system', { data: { template, reason: 'no answer written' } });
      return;
    }
    answer = body;
    draft = undefined;
    answerSent = true;
    // A refusal is sent like an answer, but the request is not "answered": its close step says how it ends.
    await note({ type: decision === 'refused' ? 'refusal_sent' : 'answered', actor: 'system', data: { body }, public: true }, decision === 'refused' ? undefined : 'answered');
    if (channel === 'post') {
      await tolerate('letter', async () => {
        const letter = await documents.renderAnswerLetter({ tenantId: input.tenantId, requestId: input.requestId, idempotencyKey: `${id}:letter:${visit}`, answer: body });
        if (letter.documentId) await record('letter_ready', 'system', { public: true, data: { documentId: letter.documentId } });
      });
      return;
    }
    await tolerate('notification', () =>
      mail.notifyCitizen({ tenantId: input.tenantId, requestId: input.requestId, template: 'answer', idempotencyKey: `${id}:answer:${visit}`, vars: { answer: body }, ...forced }),
    );
  }

  /**
   * A message to the citizen from a template the notification activity knows; another name is recorded as skipped
   * rather than sent, since the activity could not render it and would retry for ever.
   */
  async function sendToCitizen(template: string, idempotencyKey: string, vars: Record<string, unknown>, forced: { channel?: 'email' | 'sms' } = {}) {
    if (!CITIZEN_TEMPLATES.includes(template as CitizenTemplate)) {
      await record('notification_skipped', 'system', { data: { template, reason: 'unknown template' } });
      return;
    }
    await tolerate('notification', () => mail.notifyCitizen({ tenantId: input.tenantId, requestId: input.requestId, template: template as CitizenTemplate, idempotencyKey, vars, ...forced }));
  }

  /** Runs a side effect whose failure (after its retries) is recorded on the timeline instead of stopping the request. */
  async function tolerate(what: string, work: () => Promise<unknown>) {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      await record(`${what}_failed`, 'system', { data: { error: error.cause?.message ?? error.message } });
    }
  }

  async function closeAt(step: Extract<ProcessStep, { kind: 'close' }>) {
    const next = CLOSE_STATES[step.outcome];
    await changeState(next, { type: CLOSE_EVENTS[step.outcome], actor: 'system', public: true });
    closedVisit = visit;
    if (next !== 'answered') ended = true;
  }

  // --- Agent actions ----------------------------------------------------------------------------------------------

  function allowedNow(): ProcessAction[] {
    return allowedActions(current, {
      ended,
      inCharge: inCharge !== undefined,
      asked,
      answeredAwaitingClose: current.kind === 'close' && state === 'answered',
      answerNeedsValidation: current.kind === 'answer' && steps.get(current.next)?.kind === 'validate',
      refundable: paidCents > refundedCents,
    });
  }

  function assertAllowed(action: ProcessAction): void {
    if (allowedNow().includes(action)) return;
    if (action === 'recordRefund') refuse(paidCents === 0 ? 'Cette demande n’a pas été payée en ligne : il n’y a rien à rembourser.' : 'Le montant payé a déjà été entièrement remboursé.');
    if (action === 'answerRequest' && current.kind === 'answer' && inCharge) refuse('Cette réponse doit être soumise à validation avant envoi.');
    refuse(notAtThisStep(current));
  }

  function assertDepartment(actor: Actor): void {
    if (!actor.isAdmin && !actor.departmentIds.includes(department.id)) refuse('Cette demande est traitée par un autre service.');
  }

  function assertText(text: string, what: string): void {
    if (!text || !text.trim()) refuse(`${what} est vide.`);
  }

  /** Who may approve the current validation level: its named validators, its role, and tenant administrators. */
  function assertValidator(actor: Actor): void {
    if (current.kind !== 'validate') refuse(notAtThisStep(current));
    const levelOf = current.levels[level];
    if (actor.isAdmin) return;
    const named = (levelOf.validators ?? []).some((email) => actor.email !== undefined && email.toLowerCase() === actor.email.toLowerCase());
    if (named) return;
    const role = levelOf.role ?? (levelOf.validators?.length ? undefined : 'validator');
    if (role === 'validator' && actor.validatorOf.includes(department.id)) return;
    if (role === 'validator' && !levelOf.validators?.length) refuse('Seul un valideur du service émetteur peut valider cette réponse.');
    refuse(`Seuls les valideurs du niveau « ${levelOf.label} » peuvent valider cette réponse.`);
  }

  /**
   * An agent action: its validator refuses it before history; the same check runs again once it holds the lock.
   * An action that arrives while automatic steps run (a request just filed) waits for the step that will take or
   * refuse it, instead of being refused by the step the run is passing through.
   * The agent gets the result once the run rests (at a step that waits, or ended): the automatic steps it set off
   * (sending the answer, a document) are done by then.
   */
  function onUpdate<A extends ActionInput>(update: UpdateDefinition<ActionResult, [A]>, action: ProcessAction, check: (input: A) => void, act: (input: A) => Promise<void>) {
    const validate = (payload: A) => {
      assertAllowed(action);
      check(payload);
    };
    setHandler(
      update,
      async (payload: A) => {
        if (!atRest()) await condition(atRest);
        await lock.runExclusive(async () => {
          validate(payload);
          await act(payload);
        });
        await condition(atRest);
        return result();
      },
      { validator: (payload: A) => (atRest() ? validate(payload) : undefined) },
    );
  }

  setHandler(snapshotQuery, () => ({
    state,
    department,
    dueAt: new Date(dueAt).toISOString(),
    draft: draft?.body,
    draftAuthorId: draft?.authorId,
    validationComment,
    answer,
    remindersSent: [...remindersSent],
  }));

  setHandler(currentStepQuery, (): CurrentStep => ({
    stepId: current.id,
    kind: current.kind,
    label: current.label,
    state,
    allowedActions: allowedNow(),
    inTransit: !atRest(),
    dueAt: new Date(dueAt).toISOString(),
    ...(stepDueAt !== undefined ? { stepDueAt: new Date(stepDueAt).toISOString() } : {}),
    ...(current.kind === 'validate' ? { validationLevel: { index: level, label: current.levels[level].label } } : {}),
    ...(current.kind === 'answer' || current.kind === 'decide' ? { takenInCharge: inCharge !== undefined } : {}),
  }));

  // Taking in charge is explicit: the agent says so, and the request shows as in progress from then on.
  onUpdate(
    openRequestUpdate,
    'openRequest',
    ({ actor }) => assertDepartment(actor),
    async ({ actor }) => {
      if (inCharge === actor.agentId) return;
      const takingOver = inCharge !== undefined;
      inCharge = actor.agentId;
      await note({ type: takingOver ? 'taken_over' : 'opened', actor }, 'in_progress');
    },
  );

  onUpdate(
    saveDraftUpdate,
    'saveDraft',
    ({ actor, body }) => (assertDepartment(actor), assertText(body, 'Le brouillon')),
    async ({ actor, body }) => {
      draft = { body, authorId: actor.agentId };
      await record('draft_saved', actor.agentId, { data: { body } });
    },
  );

  /** The answer is held: a `validate` step approves it, a `notify` step sends it. */
  async function holdAnswer(actor: Actor, body: string, type: string) {
    if (current.kind !== 'answer') return;
    draft = { body, authorId: actor.agentId };
    await goTo(current.next, { type, actor, data: { body } });
  }

  onUpdate(
    submitForValidationUpdate,
    'submitForValidation',
    ({ actor, body }) => (assertDepartment(actor), assertText(body, 'La réponse')),
    ({ actor, body }) => holdAnswer(actor, body, 'submitted_for_validation'),
  );

  onUpdate(
    answerRequestUpdate,
    'answerRequest',
    ({ actor, body }) => (assertDepartment(actor), assertText(body, 'La réponse')),
    ({ actor, body }) => holdAnswer(actor, body, 'answer_written'),
  );

  onUpdate(
    approveAnswerUpdate,
    'approveAnswer',
    ({ actor }) => assertValidator(actor),
    async ({ actor }) => {
      if (current.kind !== 'validate') return;
      const approved = current.levels[level];
      if (level + 1 < current.levels.length) {
        level += 1;
        await record('approved', actor.agentId, { data: { level: level - 1, levelLabel: approved.label } });
        return;
      }
      await goTo(current.approved, { type: 'approved', actor, data: { level, levelLabel: approved.label } });
    },
  );

  onUpdate(
    returnDraftUpdate,
    'returnDraft',
    ({ actor, comment }) => (assertValidator(actor), assertText(comment, 'Le commentaire')),
    async ({ actor, comment }) => {
      if (current.kind !== 'validate') return;
      const returned = current.returned;
      await goTo(returned, { type: 'returned', actor, data: { comment, level } });
      validationComment = comment;
    },
  );

  onUpdate(
    transferRequestUpdate,
    'transferRequest',
    ({ actor, to }) => {
      assertDepartment(actor);
      if (to.id === department.id) refuse('La demande est déjà dans ce service.');
    },
    async ({ actor, to, note: text }) => {
      const from = department;
      department = { id: to.id, slug: to.slug };
      // A question pending stays pending, but the new department's clock runs: it must read the request.
      resumeClock();
      // The new department takes it in charge again.
      inCharge = undefined;
      await changeState('transferred', { type: 'transferred', actor, data: { from: from.slug, to: to.slug, toName: to.name, note: text } });
      await mail.notifyStaff({
        tenantId: input.tenantId,
        requestId: input.requestId,
        departmentId: to.id,
        template: 'transferred',
        recipients: ['department'],
        idempotencyKey: `${id}:transfer:${eventCount}`,
        vars: { note: text ?? '' },
      });
    },
  );

  onUpdate(
    askCitizenUpdate,
    'askCitizen',
    ({ actor, question }) => (assertDepartment(actor), assertText(question, 'La question')),
    ({ actor, question }) => askCitizen(question, actor),
  );

  onUpdate(
    acceptRegistrationUpdate,
    'acceptRegistration',
    ({ actor }) => assertDepartment(actor),
    async ({ actor, message }) => {
      if (current.kind !== 'decide') return;
      decision = 'accepted';
      draft = { body: message?.trim() || ACCEPTED_REGISTRATION, authorId: actor.agentId };
      await goTo(current.accepted, { type: 'registration_accepted', actor, public: true });
    },
  );

  onUpdate(
    rejectRegistrationUpdate,
    'rejectRegistration',
    ({ actor, reason }) => (assertDepartment(actor), assertText(reason, 'Le motif')),
    async ({ actor, reason }) => {
      if (current.kind !== 'decide') return;
      decision = 'refused';
      draft = { body: reason, authorId: actor.agentId };
      await goTo(current.refused, { type: 'registration_rejected', actor, data: { body: reason }, public: true });
    },
  );

  onUpdate(
    addNoteUpdate,
    'addNote',
    ({ actor, text }) => (assertDepartment(actor), assertText(text, 'La note')),
    async ({ actor, text }) => {
      await record('note', actor.agentId, { data: { text } });
    },
  );

  onUpdate(
    closeRequestUpdate,
    'closeRequest',
    ({ actor }) => assertDepartment(actor),
    async ({ actor }) => {
      resumeClock();
      ended = true;
      visit += 1;
      await changeState('closed', { type: 'closed', actor });
    },
  );

  // PayFiP has no refund call: the régie refunds outside Relais, and the agent records it here, within what was paid.
  onUpdate(
    recordRefundUpdate,
    'recordRefund',
    ({ actor, amount, reason }) => {
      assertDepartment(actor);
      if (!Number.isInteger(amount) || amount <= 0) refuse('Indiquez un montant de remboursement positif, en euros et centimes.');
      const left = paidCents - refundedCents;
      if (amount > left) refuse(`Le remboursement (${euros(amount)}) dépasse le montant payé restant à rembourser (${euros(left)}).`);
      assertText(reason, 'Le motif du remboursement');
    },
    async ({ actor, amount, reason }) => {
      refundedCents += amount;
      await record('refund_recorded', actor.agentId, { public: true, data: { amount, reason, paid: paidCents, refunded: refundedCents } });
    },
  );

  onUpdate(
    resendNotificationUpdate,
    'resendNotification',
    (resend) => {
      assertDepartment(resend.actor);
      if (resend.channel !== 'email' && resend.channel !== 'sms') refuse('Choisissez le canal du renvoi : courriel ou SMS.');
      if (resends >= MAX_RESENDS) refuse(`Cette demande a déjà fait l’objet de ${MAX_RESENDS} renvois : contactez le citoyen directement.`);
      resendVars(resend);
    },
    async (resend) => {
      resends += 1;
      const sent = await mail.notifyCitizen({
        tenantId: input.tenantId,
        requestId: input.requestId,
        template: resend.template as CitizenTemplate,
        idempotencyKey: `${id}:resend:${resends}`,
        vars: resendVars(resend),
        channel: resend.channel,
      });
      await record('notification_resent', resend.actor.agentId, { data: { template: resend.template, channel: resend.channel, sent: sent.sent, reason: sent.reason } });
    },
  );

  /** What a message sent again needs, as the first sending had it; refuses a message that was never sent. */
  function resendVars({ template, state: announcedState }: ResendInput): Record<string, unknown> {
    switch (template) {
      case 'acknowledgement':
        return { trackingCode: input.trackingCode };
      case 'answer':
        if (!answerSent) refuse('Aucune réponse n’a encore été envoyée : il n’y a rien à renvoyer.');
        return { answer };
      case 'information_requested':
        if (lastQuestion === undefined) refuse('Aucune question n’a été posée au citoyen : il n’y a rien à renvoyer.');
        return { question: lastQuestion };
      case 'state_changed':
        if (!announcedState || !announced.has(announcedState)) refuse('Ce changement d’état n’a pas été annoncé au citoyen.');
        return { state: announcedState };
      default:
        refuse('Seuls les messages adressés au citoyen peuvent être renvoyés.');
    }
  }

  // --- The citizen and the payment engine -------------------------------------------------------------------------

  // Read under the lock: an answer being sent is not undone by a late reply.
  setHandler(citizenReplySignal, (reply) =>
    lock.runExclusive(async () => {
      const data = { body: reply.body, via: reply.via };
      if (state !== 'awaiting_citizen' || ended) {
        await record('citizen_message', 'citizen', { public: true, data });
        return;
      }
      if (current.kind === 'request_information' && asked) {
        await goTo(current.next, { type: 'citizen_replied', actor: 'citizen', data, public: true });
        return;
      }
      resumeClock();
      await changeState(stateBeforeWaiting, { type: 'citizen_replied', actor: 'citizen', data, public: true });
    }),
  );

  // A notification is never trusted alone: it only wakes the waiting step, which asks the provider (checkPayment).
  setHandler(paymentSettledSignal, (payment) =>
    lock.runExclusive(async () => {
      if (current.kind !== 'collect_payment' || ended || collecting?.visit !== visit || !collecting.key) {
        await record('payment_unexpected', 'system', { data: { ...payment } });
        return;
      }
      paymentNudges += 1;
    }),
  );

  // --- Timers -----------------------------------------------------------------------------------------------------

  /** Waits until `at` (ms) unless the run leaves the entry `v` first; true when the time came. */
  async function timeCame(v: number, at: () => number | undefined, options: { paused?: () => boolean } = {}): Promise<boolean> {
    for (;;) {
      if (visit !== v || ended) return false;
      if (options.paused?.()) {
        await condition(() => !options.paused!() || visit !== v || ended);
        continue;
      }
      const target = at();
      if (target === undefined) return false;
      const interrupted = await condition(() => visit !== v || ended || (options.paused?.() ?? false), timerMs(target));
      if (!interrupted) return visit === v && !ended;
    }
  }

  /**
   * Waits for the payment of entry `v`: each notification, and a poll every PAYMENT_POLL_MS, asks the provider; at the
   * end of the window a last answer decides, and an unpaid payment expires (its stock goes back on sale).
   */
  async function collectPayment(step: Extract<ProcessStep, { kind: 'collect_payment' }>, v: number, left: () => boolean) {
    const payment = collecting?.visit === v ? collecting : undefined;
    if (payment?.offline) {
      // Nothing to ask a provider about: the step ends at its timeout unless an agent moves the request on.
      const timeoutAt = Date.now() + durationMs(step.timeout);
      if (await timeCame(v, () => timeoutAt)) await moveIfStill(v, step.unpaid, { type: 'payment_timeout', actor: 'system', public: true });
      return;
    }
    if (!payment?.key || payment.expiresAt === undefined) {
      await moveIfStill(v, step.unpaid, { type: 'payment_unavailable', actor: 'system', public: true, data: { label: step.label, message: payment?.refusal ?? PAYMENT_UNAVAILABLE } });
      return;
    }
    const { key, expiresAt } = payment;
    // A purchase's payment existed before this step: its notification or the citizen's return may have come already
    // (and found no step to wake), so the provider is asked once at once.
    let checkNow = payment.adopted === true;
    for (;;) {
      const seen = paymentNudges;
      const pollAt = Math.min(expiresAt, Date.now() + PAYMENT_POLL_MS);
      // Decided before the wait, from the window kept in history: the last wait ends the window.
      const last = pollAt >= expiresAt;
      const nudged = checkNow || (await condition(() => left() || paymentNudges !== seen, timerMs(pollAt)));
      checkNow = false;
      if (left()) return;
      const expiring = last && !nudged;
      let status: PaymentStatus;
      try {
        status = expiring ? await payments.expireUnpaid({ tenantId: input.tenantId, key }) : await payments.checkPayment({ tenantId: input.tenantId, key });
      } catch (error) {
        if (!(error instanceof ActivityFailure)) throw error;
        // PayFiP unreachable for minutes: try again at the next poll; the window does not close without an answer.
        log.warn('payment check failed', { key, error: error.cause?.message });
        await condition(() => left() || paymentNudges !== seen, PAYMENT_POLL_MS);
        if (left()) return;
        continue;
      }
      if (status.state === 'paid') {
        // Added after the first recorded histories: runs paid before it replay without a receipt.
        if (patched('payment-receipt')) background.push(issueReceipt(key, v));
        paidCents += status.amount;
        const data = { amount: status.amount, paymentId: status.providerId, authorisation: status.authorisation, paidAt: status.paidAt };
        await moveIfStill(v, step.paid, { type: 'payment_received', actor: 'system', data, public: true });
        return;
      }
      if (status.final && expiring && payment.stepEndsAt !== undefined && payment.stepEndsAt > expiresAt) {
        // The payment page expired but the step still waits: the citizen is told; the step ends at its own timeout.
        await lock.runExclusive(async () => {
          if (!left()) await record('payment_expired', 'system', { public: true, data: { state: status.state } });
        });
        if (await timeCame(v, () => payment.stepEndsAt)) await moveIfStill(v, step.unpaid, { type: 'payment_timeout', actor: 'system', public: true });
        return;
      }
      if (status.final) {
        await moveIfStill(v, step.unpaid, { type: expiring ? 'payment_timeout' : 'payment_failed', actor: 'system', public: true, data: { state: status.state } });
        return;
      }
    }
  }

  /**
   * The receipt of a verified payment: rendered once and e-mailed once (both keyed by the payment's entry), while the
   * process goes on; a failure after the retries is recorded on the timeline, the payment stays counted.
   */
  async function issueReceipt(paymentKey: string, v: number): Promise<void> {
    const base = { tenantId: input.tenantId, requestId: input.requestId };
    const key = `${id}:receipt:${v}`;
    try {
      const receipt = await documents.renderPaymentReceipt({ ...base, idempotencyKey: key, paymentKey });
      const sent = await mail.notifyCitizen({ ...base, template: 'payment_receipt', idempotencyKey: key, documentId: receipt.documentId, channel: 'email', vars: { amount: receipt.amount, product: receipt.product } });
      await lock.runExclusive(() => record('receipt_sent', 'system', { public: true, data: { documentId: receipt.documentId, emailed: sent.sent > 0, reason: sent.reason } }));
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      await lock.runExclusive(() => record('receipt_failed', 'system', { data: { error: error.cause?.message ?? error.message } }));
    }
  }

  /** Moves on from entry `v` when its time came and nothing else moved the run meanwhile. */
  function moveIfStill(v: number, stepId: string, cause: Cause): Promise<void> {
    return lock.runExclusive(async () => {
      if (visit === v && !ended) await goTo(stepId, cause);
    });
  }

  /** The process-level cascade against the guaranteed date, as the request workflow does. */
  async function watchDeadline(): Promise<void> {
    for (const index of plan.map((s) => s.stepIndex)) {
      for (;;) {
        if (settled()) return;
        if (clockStopped()) {
          await condition(() => !clockStopped() || settled());
          continue;
        }
        const interrupted = await condition(() => settled() || clockStopped(), timerMs(plan.find((s) => s.stepIndex === index)!.fireAt.getTime()));
        if (!interrupted) break;
      }
      if (settled()) return;
      await lock.runExclusive(async () => {
        if (settled()) return;
        const planned = plan.find((s) => s.stepIndex === index)!;
        remindersSent.push(index);
        await mail.notifyStaff({
          tenantId: input.tenantId,
          requestId: input.requestId,
          departmentId: department.id,
          template: 'reminder',
          recipients: planned.recipients,
          idempotencyKey: `${id}:escalation:${index}`,
          vars: { percent: planned.percent },
        });
        await record('reminder_sent', 'system', { data: { percent: planned.percent, step: index } });
      });
    }
  }

  /** The step's own cascade against its own deadline, while the run stays at entry `v`. */
  async function watchStep(v: number): Promise<void> {
    const step = current;
    for (const planned of [...stepPlan]) {
      const fire = await timeCame(v, () => stepPlan.find((s) => s.stepIndex === planned.stepIndex)?.fireAt.getTime(), { paused: clockStopped });
      if (!fire) return;
      await lock.runExclusive(async () => {
        if (visit !== v || ended) return;
        await mail.notifyStaff({
          tenantId: input.tenantId,
          requestId: input.requestId,
          departmentId: department.id,
          template: 'reminder',
          recipients: planned.recipients,
          idempotencyKey: `${id}:step:${v}:${planned.stepIndex}`,
          vars: { percent: planned.percent, stepLabel: step.label },
        });
        await record('step_reminder_sent', 'system', { data: { percent: planned.percent, index: planned.stepIndex } });
      });
    }
  }

  /** Waits at a resting step until an action, a signal or one of its timers moves the run on. */
  async function rest(step: ProcessStep, v: number): Promise<void> {
    const left = () => visit !== v || ended;
    switch (step.kind) {
      case 'request_information': {
        await condition(() => asked || left());
        if (left()) return;
        if (step.reminderAfter) {
          const reminderAt = askedAt + durationMs(step.reminderAfter);
          if (await timeCame(v, () => reminderAt)) {
            await lock.runExclusive(async () => {
              if (left()) return;
              await sendToCitizen(step.template ?? 'information_requested', `${id}:ask-reminder:${v}`, { question: lastQuestion, reminder: true });
              await record('information_reminder_sent', 'system', { public: true });
            });
          }
        }
        const timeoutAt = askedAt + durationMs(step.timeout);
        if (await timeCame(v, () => timeoutAt)) await moveIfStill(v, step.abandoned, { type: 'information_timeout', actor: 'system', public: true });
        return;
      }
      case 'collect_payment':
        await collectPayment(step, v, left);
        return;
      case 'wait':
        if (await timeCame(v, () => wakeAt)) await moveIfStill(v, step.next, { type: 'wait_over', actor: 'system' });
        return;
      case 'close': {
        if (state !== 'answered') return;
        const closedByAgent = await condition(left, input.autoCloseAfterMs);
        if (!closedByAgent) {
          await lock.runExclusive(async () => {
            if (ended) return;
            ended = true;
            await changeState('closed', { type: 'closed_automatically', actor: 'system' });
          });
        }
        return;
      }
      default:
        await condition(left);
    }
  }

  // --- The walk ---------------------------------------------------------------------------------------------------

  upsertSearchAttributes({ [STATE_ATTRIBUTE.name]: [state], [DEPARTMENT_ATTRIBUTE.name]: [department.slug] });
  await lock.runExclusive(() => goTo(definition.start, { type: 'received', actor: 'citizen', public: true, data: { process: input.process.slug, version: input.process.version } }));
  const deadline = watchDeadline();
  while (!ended) {
    // A handler may have moved the run and still be entering the new step (awaiting its record): its timers and
    // waits start from the finished entry, or they would read a step half set up.
    await condition(() => !entering || ended);
    if (ended) break;
    const step = current;
    const v = visit;
    if (step.kind === 'close') {
      await lock.runExclusive(async () => {
        if (visit === v && !ended) await closeAt(step);
      });
      await rest(step, v);
      break;
    }
    if (!RESTING_KINDS.has(step.kind)) {
      await lock.runExclusive(async () => {
        if (visit === v && !ended) await runAutomatic(step);
      });
      continue;
    }
    const watcher = watchStep(v);
    await rest(step, v);
    await watcher;
  }
  await deadline;
  await Promise.all(background);
  // Handlers still queued on the lock finish (or are refused) before the run completes.
  await condition(allHandlersFinished);
  log.info('request finished', { state, process: input.process.slug, version: input.process.version });
  return state;
}

/**
 * A timer's duration to reach `at`: at least 1 ms, so that the timer is always started. Whether a timer is started
 * must not depend on the clock: after a local activity, replay may read an earlier workflow time than the first run
 * did, and a timer started in one and not the other is a non-determinism error.
 */
function timerMs(at: number): number {
  return Math.max(1, at - Date.now());
}

function planFor(from: string, to: string, cascade: EscalationStep[]): PlannedEscalation[] {
  // A cascade needs a span to take percents of; a date already past (a replayed clock, a zero delay) has none.
  if (cascade.length === 0 || Date.parse(to) <= Date.parse(from)) return [];
  return planEscalation({ receivedAt: from, dueAt: to, cascade });
}

function actorId(actor: Actor | string): string {
  return typeof actor === 'string' ? actor : actor.agentId;
}

/** "12,50 €" without Intl (workflow code): the refusal messages' amounts. */
function euros(cents: number): string {
  return `${Math.trunc(cents / 100)},${String(cents % 100).padStart(2, '0')} €`;
}

function refuse(reason: string): never {
  throw ApplicationFailure.nonRetryable(reason, 'ActionRefused');
}
