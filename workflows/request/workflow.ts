import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { Mutex } from 'async-mutex';
import type { DocumentActivities } from '@/activities/documents/document-activities';
import type { ExportActivities } from '@/activities/exports/export-activities';
import type { RequestActivities } from '@/activities/request/request-activities';
import type { RequestState } from '@/domain/entities';
import { planEscalation, type PlannedEscalation } from '@/domain/deadlines/escalation';
import { DEPARTMENT_ATTRIBUTE, STATE_ATTRIBUTE } from '@/workflows/search-attributes';
import {
  acceptRegistrationUpdate,
  addNoteUpdate,
  answerRequestUpdate,
  approveAnswerUpdate,
  askCitizenUpdate,
  citizenReplySignal,
  closeRequestUpdate,
  openRequestUpdate,
  rejectRegistrationUpdate,
  resendNotificationUpdate,
  returnDraftUpdate,
  saveDraftUpdate,
  snapshotQuery,
  submitForValidationUpdate,
  transferRequestUpdate,
  type ActionResult,
  type Actor,
  type DepartmentRef,
  type RequestWorkflowInput,
  type ResendInput,
} from './definitions';
import { ACTIVITY_PROFILES } from './profiles';

const projection = proxyActivities<RequestActivities>(ACTIVITY_PROFILES.projection);
const localProjection = proxyLocalActivities<RequestActivities>(ACTIVITY_PROFILES.localProjection);
const mail = proxyActivities<RequestActivities>(ACTIVITY_PROFILES.notification);
const documents = proxyActivities<DocumentActivities>(ACTIVITY_PROFILES.pdf);
const exports = proxyActivities<ExportActivities>(ACTIVITY_PROFILES.export);

const ACCEPTED_REGISTRATION = 'Votre inscription est acceptée. Vous recevrez prochainement les informations pratiques.';

const FINISHED_STATES: RequestState[] = ['answered', 'closed', 'rejected'];
// An agent resends a lost message by hand; a bound keeps a mistaken loop from flooding the citizen.
const MAX_RESENDS = 10;
// The answer and the questions to the citizen have messages of their own; other states are announced once each.
const OWN_MESSAGE: RequestState[] = ['answered', 'awaiting_citizen'];

/** One citizen request, from acknowledgement to closure. */
export async function requestWorkflow(input: RequestWorkflowInput): Promise<RequestState> {
  const id = workflowInfo().workflowId;
  let state: RequestState = 'received';
  let department: DepartmentRef = input.department;
  let dueAt = Date.parse(input.dueAt);
  let plan: PlannedEscalation[] = planEscalation({ receivedAt: input.receivedAt, dueAt: input.dueAt, cascade: input.escalation });
  let draft: { body: string; authorId: string } | undefined;
  let validationComment: string | undefined;
  let answer: string | undefined;
  let stateBeforeWaiting: RequestState = 'in_progress';
  let pausedSince: number | undefined;
  let eventCount = 0;
  const announced = new Set<RequestState>();
  const remindersSent: number[] = [];
  let exportRun: Promise<void> | undefined;
  let lastQuestion: string | undefined;
  let resends = 0;

  // One state change at a time: a handler that awaits must not let another act on the state it is about to change.
  const lock = new Mutex();

  const finished = () => FINISHED_STATES.includes(state);
  const clockStopped = () => pausedSince !== undefined;

  async function record(type: string, actor: string | undefined, options: { public?: boolean; data?: Record<string, unknown> } = {}) {
    eventCount += 1;
    // A local activity saves two server round trips per state change; older runs replay with the remote one.
    const projector = patched('local-projection') ? localProjection : projection;
    await projector.recordRequestEvent({
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
      data: options.data ?? {},
    });
  }

  async function changeState(next: RequestState, type: string, actor: Actor | string | undefined, data: Record<string, unknown> = {}) {
    const previous = state;
    state = next;
    upsertSearchAttributes({ [STATE_ATTRIBUTE.name]: [state], [DEPARTMENT_ATTRIBUTE.name]: [department.slug] });
    await record(type, typeof actor === 'string' ? actor : actor?.agentId, { public: previous !== next, data });
    if (previous !== next && input.citizenNotifications.includes(next) && !OWN_MESSAGE.includes(next) && !announced.has(next)) {
      announced.add(next);
      await mail.notifyCitizen({
        tenantId: input.tenantId,
        requestId: input.requestId,
        template: 'state_changed',
        idempotencyKey: `${id}:state:${next}`,
        vars: { state: next },
      });
    }
  }

  function result(): ActionResult {
    return { state, dueAt: new Date(dueAt).toISOString() };
  }

  function assertWorkable(actor: Actor): void {
    if (finished()) refuse('Cette demande a déjà reçu une réponse ou est close.');
    if (state === 'awaiting_validation') refuse('Une réponse attend la validation : seul un valideur peut agir.');
    assertDepartment(actor);
  }

  function assertDepartment(actor: Actor): void {
    if (!actor.isAdmin && !actor.departmentIds.includes(department.id)) {
      refuse('Cette demande est traitée par un autre service.');
    }
  }

  function assertValidator(actor: Actor): void {
    if (state !== 'awaiting_validation') refuse("Aucune réponse n'attend de validation.");
    if (!actor.isAdmin && !actor.validatorOf.includes(input.department.id)) {
      refuse('Seul un valideur du service émetteur peut valider cette réponse.');
    }
  }

  function assertText(text: string, what: string): void {
    if (!text || !text.trim()) refuse(`${what} est vide.`);
  }

  async function sendAnswer(body: string, actor: Actor | string) {
    answer = body;
    draft = undefined;
    await changeState('answered', 'answered', actor, { body });
    await mail.notifyCitizen({
      tenantId: input.tenantId,
      requestId: input.requestId,
      template: 'answer',
      idempotencyKey: `${id}:answer`,
      vars: { answer: body },
    });
    if (patched('answer-documents')) await deliverDocuments();
  }

  // PDFs stay out of history: the activities store them and return their ids.
  async function deliverDocuments() {
    const base = { tenantId: input.tenantId, requestId: input.requestId };
    if (input.kind === 'document') {
      const certificate = await documents.renderCertificate({ ...base, idempotencyKey: `${id}:certificate` });
      await record('document_ready', 'system', { public: true, data: { documentId: certificate.documentId } });
    }
    if (input.replyChannel === 'post') {
      const letter = await documents.renderAnswerLetter({ ...base, idempotencyKey: `${id}:letter`, onlyForPostalReply: true });
      if (letter.documentId) await record('letter_ready', 'system', { public: true, data: { documentId: letter.documentId } });
    }
  }

  async function exportRegistration() {
    try {
      const outcome = await exports.exportRegistration({ tenantId: input.tenantId, requestId: input.requestId, idempotencyKey: `${id}:export` });
      await record(outcome.status === 'skipped' ? 'export_skipped' : 'exported', 'system', { data: { ...outcome } });
    } catch (error) {
      await record('export_failed', 'system', { data: { error: (error as Error).message } });
    }
  }

  function assertRegistration(actor: Actor): void {
    if (input.kind !== 'registration') refuse("Cette demande n'est pas une inscription.");
    assertWorkable(actor);
  }

  /** Runs work alone under the lock, its precondition checked there; runs recorded before the lock replay without it. */
  function exclusive<R>(work: () => Promise<R>, precondition?: () => void): Promise<R> {
    if (!patched('serialised-updates')) return work();
    return lock.runExclusive(() => {
      precondition?.();
      return work();
    });
  }

  /** An agent action: its validator refuses it before history, and the same check runs again once it holds the lock. */
  function onUpdate<A>(update: UpdateDefinition<ActionResult, [A]>, check: (input: A) => void, act: (input: A) => Promise<ActionResult>) {
    setHandler(update, (input: A) => exclusive(() => act(input), () => check(input)), { validator: check });
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

  onUpdate(
    openRequestUpdate,
    ({ actor }) => assertWorkable(actor),
    async ({ actor }) => {
      if (state === 'received' || state === 'transferred') await changeState('in_progress', 'opened', actor);
      return result();
    },
  );

  onUpdate(
    saveDraftUpdate,
    ({ actor, body }) => (assertWorkable(actor), assertText(body, 'Le brouillon')),
    async ({ actor, body }) => {
      draft = { body, authorId: actor.agentId };
      await record('draft_saved', actor.agentId, { data: { body } });
      return result();
    },
  );

  onUpdate(
    submitForValidationUpdate,
    ({ actor, body }) => (assertWorkable(actor), assertText(body, 'La réponse')),
    async ({ actor, body }) => {
      draft = { body, authorId: actor.agentId };
      validationComment = undefined;
      await changeState('awaiting_validation', 'submitted_for_validation', actor, { body });
      return result();
    },
  );

  onUpdate(
    approveAnswerUpdate,
    ({ actor }) => assertValidator(actor),
    async ({ actor }) => {
      const body = draft!.body;
      await record('approved', actor.agentId);
      await sendAnswer(body, actor);
      return result();
    },
  );

  onUpdate(
    returnDraftUpdate,
    ({ actor, comment }) => (assertValidator(actor), assertText(comment, 'Le commentaire')),
    async ({ actor, comment }) => {
      validationComment = comment;
      await changeState('in_progress', 'returned', actor, { comment });
      return result();
    },
  );

  onUpdate(
    transferRequestUpdate,
    ({ actor, to }) => {
      assertWorkable(actor);
      if (to.id === department.id) refuse('La demande est déjà dans ce service.');
    },
    async ({ actor, to, note }) => {
      const from = department;
      department = { id: to.id, slug: to.slug };
      await changeState('transferred', 'transferred', actor, { from: from.slug, to: to.slug, toName: to.name, note });
      await mail.notifyStaff({
        tenantId: input.tenantId,
        requestId: input.requestId,
        departmentId: to.id,
        template: 'transferred',
        recipients: ['department'],
        idempotencyKey: `${id}:transfer:${eventCount}`,
        vars: { note: note ?? '' },
      });
      return result();
    },
  );

  onUpdate(
    askCitizenUpdate,
    ({ actor, question }) => (assertWorkable(actor), assertText(question, 'La question')),
    async ({ actor, question }) => {
      stateBeforeWaiting = state === 'received' ? 'in_progress' : state;
      if (input.stopClockWhileAwaitingCitizen) pausedSince = Date.now();
      lastQuestion = question;
      await changeState('awaiting_citizen', 'information_requested', actor, { question });
      await mail.notifyCitizen({
        tenantId: input.tenantId,
        requestId: input.requestId,
        template: 'information_requested',
        idempotencyKey: `${id}:ask:${eventCount}`,
        vars: { question },
      });
      return result();
    },
  );

  onUpdate(
    answerRequestUpdate,
    ({ actor, body }) => {
      assertWorkable(actor);
      assertText(body, 'La réponse');
      if (input.validationRequired) refuse('Cette réponse doit être soumise à validation avant envoi.');
    },
    async ({ actor, body }) => {
      await sendAnswer(body, actor);
      return result();
    },
  );

  onUpdate(
    acceptRegistrationUpdate,
    ({ actor }) => assertRegistration(actor),
    async ({ actor, message }) => {
      await record('registration_accepted', actor.agentId, { public: true });
      await sendAnswer(message?.trim() || ACCEPTED_REGISTRATION, actor);
      // The agent gets the result now; the export retries on its own until the business system takes it.
      exportRun = exportRegistration();
      return result();
    },
  );

  onUpdate(
    rejectRegistrationUpdate,
    ({ actor, reason }) => (assertRegistration(actor), assertText(reason, 'Le motif')),
    async ({ actor, reason }) => {
      answer = reason;
      await changeState('rejected', 'registration_rejected', actor, { body: reason });
      await mail.notifyCitizen({
        tenantId: input.tenantId,
        requestId: input.requestId,
        template: 'answer',
        idempotencyKey: `${id}:answer`,
        vars: { answer: reason },
      });
      return result();
    },
  );

  onUpdate(
    addNoteUpdate,
    ({ actor, text }) => (assertDepartment(actor), assertText(text, 'La note')),
    async ({ actor, text }) => {
      await record('note', actor.agentId, { data: { text } });
      return result();
    },
  );

  onUpdate(
    closeRequestUpdate,
    ({ actor }) => {
      if (state === 'closed' || state === 'rejected') refuse('Cette demande est déjà close.');
      if (state === 'awaiting_validation') refuse('Une réponse attend la validation.');
      assertDepartment(actor);
    },
    async ({ actor }) => {
      await changeState('closed', 'closed', actor);
      return result();
    },
  );

  // State only, no commands until accepted: runs recorded before this handler replay unchanged.
  onUpdate(
    resendNotificationUpdate,
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
        template: resend.template as 'acknowledgement',
        idempotencyKey: `${id}:resend:${resends}`,
        vars: resendVars(resend),
        channel: resend.channel,
      });
      await record('notification_resent', resend.actor.agentId, { data: { template: resend.template, channel: resend.channel, sent: sent.sent, reason: sent.reason } });
      return result();
    },
  );

  /** What a message sent again needs, as the first sending had it; refuses a message that was never sent. */
  function resendVars({ template, state: announcedState }: ResendInput): Record<string, unknown> {
    switch (template) {
      case 'acknowledgement':
        return { trackingCode: input.trackingCode };
      case 'answer':
        if (answer === undefined) refuse('Aucune réponse n’a encore été envoyée : il n’y a rien à renvoyer.');
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

  // The reply reads the state when it holds the lock: an answer being sent is not undone by a late reply.
  setHandler(citizenReplySignal, (reply) =>
    exclusive(async () => {
      if (state !== 'awaiting_citizen') {
        await record('citizen_message', 'citizen', { public: true, data: { body: reply.body, via: reply.via } });
        return;
      }
      if (pausedSince !== undefined) {
        const paused = Date.now() - pausedSince;
        pausedSince = undefined;
        dueAt += paused;
        plan = plan.map((step) => (remindersSent.includes(step.stepIndex) ? step : { ...step, fireAt: new Date(step.fireAt.getTime() + paused) }));
      }
      await changeState(stateBeforeWaiting, 'citizen_replied', 'citizen', { body: reply.body, via: reply.via });
    }),
  );

  async function watchDeadline(): Promise<void> {
    for (const step of plan.map((s) => s.stepIndex)) {
      for (;;) {
        if (finished()) return;
        if (clockStopped()) {
          await condition(() => !clockStopped() || finished());
          continue;
        }
        const fireAt = plan.find((s) => s.stepIndex === step)!.fireAt.getTime();
        const wait = fireAt - Date.now();
        if (wait <= 0) break;
        const interrupted = await condition(() => finished() || clockStopped(), wait);
        if (!interrupted) break;
      }
      if (finished()) return;
      // Under the lock, so that an approval in flight finishes first and no reminder follows the answer.
      await exclusive(async () => {
        if (finished()) return;
        const planned = plan.find((s) => s.stepIndex === step)!;
        remindersSent.push(step);
        await mail.notifyStaff({
          tenantId: input.tenantId,
          requestId: input.requestId,
          departmentId: department.id,
          template: 'reminder',
          recipients: planned.recipients,
          idempotencyKey: `${id}:escalation:${step}`,
          vars: { percent: planned.percent },
        });
        await record('reminder_sent', 'system', { data: { percent: planned.percent, step } });
      });
    }
  }

  upsertSearchAttributes({ [STATE_ATTRIBUTE.name]: [state], [DEPARTMENT_ATTRIBUTE.name]: [department.slug] });
  await record('received', 'citizen', { public: true });
  // A flag of the input: runs that never had it get the activity's own promise, as before (an extra await would
  // reorder commands against handlers in the same activation).
  const acknowledge = () =>
    input.acknowledge === false
      ? Promise.resolve(undefined)
      : mail.notifyCitizen({
          tenantId: input.tenantId,
          requestId: input.requestId,
          template: 'acknowledgement',
          idempotencyKey: `${id}:ack`,
          vars: { trackingCode: input.trackingCode },
        });
  const noticeToDepartment = () =>
    mail.notifyStaff({
      tenantId: input.tenantId,
      requestId: input.requestId,
      departmentId: department.id,
      template: 'new_request',
      recipients: ['department'],
      idempotencyKey: `${id}:arrival`,
    });
  // Both at once: the citizen's acknowledgement does not wait for the department's e-mails.
  if (patched('parallel-intake-notices')) {
    await Promise.all([acknowledge(), noticeToDepartment()]);
  } else {
    await acknowledge();
    await noticeToDepartment();
  }

  const deadline = watchDeadline();
  await condition(finished);
  if ((state as RequestState) === 'answered') {
    const closedByAgent = await condition(() => state === 'closed', input.autoCloseAfterMs);
    if (!closedByAgent) {
      await exclusive(async () => {
        if (state === 'answered') await changeState('closed', 'closed_automatically', 'system');
      });
    }
  }
  await deadline;
  await exportRun;
  // Handlers still queued on the lock finish (or are refused) before the run completes.
  await condition(allHandlersFinished);
  log.info('request finished', { state });
  return state;
}

function refuse(reason: string): never {
  throw ApplicationFailure.nonRetryable(reason, 'ActionRefused');
}

