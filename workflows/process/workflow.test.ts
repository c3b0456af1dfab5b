import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepHistory, PROCESS_HISTORIES_DIR } from '@/temporal/testing/histories';
import type { ProcessDefinition, ProcessStep } from '@/domain/processes/definition';
import {
  ACTORS,
  acceptedUpdates,
  bundleWorkflows,
  createWorkflowTestEnv,
  eventually,
  fakeProcessActivities,
  OFFLINE_TENANT,
  SHORT_WINDOW_TENANT,
  processInput,
  startProcessWorker,
  type TestWorkflowEnvironment,
} from '@/temporal/testing/process';
import {
  acceptRegistrationUpdate,
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
  returnDraftUpdate,
  snapshotQuery,
  submitForValidationUpdate,
  type ProcessWorkflowInput,
} from './definitions';
import { processWorkflow } from './workflow';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let worker: Awaited<ReturnType<typeof startProcessWorker>>;
const fake = fakeProcessActivities();

beforeAll(async () => {
  [env, bundle] = await Promise.all([createWorkflowTestEnv(), bundleWorkflows()]);
  worker = await startProcessWorker(env, bundle, fake.activities);
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
});

/** A definition around `steps`, starting at the first. */
function processOf(steps: ProcessStep[], kind: ProcessDefinition['kind'] = 'question'): ProcessDefinition {
  return { slug: 'essai', title: 'Essai', kind, guaranteedDelay: { delay: 'P15D', businessDays: true }, start: steps[0].id, steps };
}

const ACK: ProcessStep = { id: 'accuser', kind: 'acknowledge', label: 'Accusé de réception', channels: ['reply'], next: 'suite' };

async function start(definition: ProcessDefinition, overrides: Partial<ProcessWorkflowInput> & { dueInMs?: number } = {}) {
  const input = processInput(definition, overrides);
  const handle = await env.client.workflow.start(processWorkflow, { args: [input], taskQueue: worker.taskQueue, workflowId: `request:test:${input.reference}` });
  return { input, handle };
}

async function atStep(handle: WorkflowHandle, stepId: string) {
  return eventually(async () => {
    const step = await handle.query(currentStepQuery);
    expect(step.stepId).toBe(stepId);
    expect(step.inTransit).toBe(false);
    return step;
  });
}

async function refusal(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((error as WorkflowUpdateFailedError).cause as Error).message;
}

/** The timers a run started, in ms, read from its history. */
async function timersOf(handle: WorkflowHandle): Promise<number[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? []).flatMap((e) => (e.timerStartedEventAttributes ? [tsToMs(e.timerStartedEventAttributes.startToFireTimeout)] : []));
}

const types = (requestId: string) => fake.eventsOf(requestId).map((e) => e.type);
const citizenMessages = (requestId: string) => fake.callsOf(requestId).filter((c) => c.name === 'notifyCitizen').map((c) => c.args);
const staffMessages = (requestId: string) => fake.callsOf(requestId).filter((c) => c.name === 'notifyStaff').map((c) => c.args);

const QUESTION = processOf([
  { ...ACK, next: 'orienter' },
  { id: 'orienter', kind: 'route', label: 'Orientation', department: 'accueil', rules: [{ when: 'data.theme == "voirie"', department: 'voirie' }], next: 'repondre' },
  { id: 'repondre', kind: 'answer', label: 'Répondre', next: 'valider' },
  {
    id: 'valider',
    kind: 'validate',
    label: 'Validation',
    levels: [
      { label: 'Valideur du service', role: 'validator' },
      { label: 'Direction générale', validators: ['dgs@mairie.test'] },
    ],
    approved: 'envoyer',
    returned: 'repondre',
  },
  { id: 'envoyer', kind: 'notify', label: 'Envoi de la réponse', template: 'answer', channel: 'reply', next: 'clore' },
  { id: 'clore', kind: 'close', label: 'Clôture', outcome: 'answered' },
]);

describe('process workflow', () => {
  it('acknowledges, routes by a rule on the form, and sends an answer approved at two levels after a return', async () => {
    const { input, handle } = await start(QUESTION, { formData: { theme: 'stationnement' } });
    const { agent, validator, director } = ACTORS;
    const step = await atStep(handle, 'repondre');
    expect(step).toMatchObject({ kind: 'answer', label: 'Répondre', takenInCharge: false, allowedActions: expect.arrayContaining(['openRequest', 'transferRequest']) });
    expect(step.allowedActions).not.toContain('submitForValidation');

    expect((await handle.executeUpdate(openRequestUpdate, { args: [{ actor: agent }] })).state).toBe('in_progress');
    expect((await handle.query(currentStepQuery)).allowedActions).toEqual(expect.arrayContaining(['saveDraft', 'submitForValidation', 'askCitizen']));
    expect((await handle.executeUpdate(submitForValidationUpdate, { args: [{ actor: agent, body: 'Premier jet' }] })).state).toBe('awaiting_validation');
    expect((await handle.query(currentStepQuery)).validationLevel).toEqual({ index: 0, label: 'Valideur du service' });
    expect(await refusal(handle.executeUpdate(approveAnswerUpdate, { args: [{ actor: agent }] }))).toBe('Seul un valideur du service émetteur peut valider cette réponse.');
    await handle.executeUpdate(approveAnswerUpdate, { args: [{ actor: validator }] });
    expect((await handle.query(currentStepQuery)).validationLevel).toEqual({ index: 1, label: 'Direction générale' });
    expect(await refusal(handle.executeUpdate(approveAnswerUpdate, { args: [{ actor: validator }] }))).toBe('Seuls les valideurs du niveau « Direction générale » peuvent valider cette réponse.');

    // The second level returns the draft: back to the answer step, the comment kept, validation starts again at level one.
    expect((await handle.executeUpdate(returnDraftUpdate, { args: [{ actor: director, comment: 'Précisez le tarif.' }] })).state).toBe('in_progress');
    expect(await handle.query(currentStepQuery)).toMatchObject({ stepId: 'repondre', takenInCharge: true });
    expect(await handle.query(snapshotQuery)).toMatchObject({ validationComment: 'Précisez le tarif.', draft: 'Premier jet' });
    await handle.executeUpdate(submitForValidationUpdate, { args: [{ actor: agent, body: 'Le stationnement coûte 2 € par heure.' }] });
    expect((await handle.query(currentStepQuery)).validationLevel?.index).toBe(0);
    await handle.executeUpdate(approveAnswerUpdate, { args: [{ actor: validator }] });
    const answered = await handle.executeUpdate(approveAnswerUpdate, { args: [{ actor: director }] });
    // The update returns once the run rests: the answer has gone out by then.
    expect(answered.state).toBe('answered');
    expect(await handle.query(currentStepQuery)).toMatchObject({ stepId: 'clore', allowedActions: expect.arrayContaining(['closeRequest']) });
    expect(citizenMessages(input.requestId).map((m) => m.template)).toEqual(['acknowledgement', 'answer']);
    expect(citizenMessages(input.requestId)[1].vars).toEqual({ answer: 'Le stationnement coûte 2 € par heure.' });
    expect(staffMessages(input.requestId).map((m) => [m.template, m.departmentId])).toEqual([['new_request', 'dep-accueil']]);

    expect((await handle.executeUpdate(closeRequestUpdate, { args: [{ actor: agent }] })).state).toBe('closed');
    expect(await handle.result()).toBe('closed');
    expect(types(input.requestId)).toEqual([
      'received',
      'opened',
      'submitted_for_validation',
      'approved',
      'returned',
      'submitted_for_validation',
      'approved',
      'approved',
      'answered',
      'completed',
      'closed',
    ]);
    await keepHistory('question-validation-return', handle, PROCESS_HISTORIES_DIR);
  });

  it('routes to the department a rule chooses; that department alone may act', async () => {
    const { input, handle } = await start(QUESTION, { formData: { theme: 'voirie' } });
    await atStep(handle, 'repondre');
    expect((await handle.query(snapshotQuery)).department).toEqual({ id: 'dep-voirie', slug: 'voirie' });
    expect(fake.eventsOf(input.requestId).find((e) => e.type === 'routed')!.data).toMatchObject({ department: 'voirie', rule: 0 });
    expect(await refusal(handle.executeUpdate(openRequestUpdate, { args: [{ actor: ACTORS.agent }] }))).toBe('Cette demande est traitée par un autre service.');
    await handle.executeUpdate(openRequestUpdate, { args: [{ actor: ACTORS.voirie }] });
    await handle.executeUpdate(closeRequestUpdate, { args: [{ actor: ACTORS.voirie }] });
    expect(await handle.result()).toBe('closed');
  });

  it('refuses an action the step does not allow in its validator, in French, without writing it to history', async () => {
    const { handle } = await start(QUESTION);
    await atStep(handle, 'repondre');
    const before = await acceptedUpdates(handle);
    // Taking in charge is explicit: nothing can be written before it.
    expect(await refusal(handle.executeUpdate(submitForValidationUpdate, { args: [{ actor: ACTORS.agent, body: 'Réponse' }] }))).toBe(
      "Cette action n'est pas possible à l'étape « Répondre ».",
    );
    expect(await refusal(handle.executeUpdate(approveAnswerUpdate, { args: [{ actor: ACTORS.admin }] }))).toBe("Cette action n'est pas possible à l'étape « Répondre ».");
    expect(await refusal(handle.executeUpdate(acceptRegistrationUpdate, { args: [{ actor: ACTORS.agent }] }))).toBe("Cette action n'est pas possible à l'étape « Répondre ».");
    expect(await acceptedUpdates(handle)).toBe(before);
    await handle.executeUpdate(openRequestUpdate, { args: [{ actor: ACTORS.agent }] });
    // The next step validates: the answer is submitted, never sent directly.
    expect(await refusal(handle.executeUpdate(answerRequestUpdate, { args: [{ actor: ACTORS.agent, body: 'Réponse' }] }))).toBe(
      'Cette réponse doit être soumise à validation avant envoi.',
    );
    expect(await refusal(handle.executeUpdate(submitForValidationUpdate, { args: [{ actor: ACTORS.agent, body: '  ' }] }))).toBe('La réponse est vide.');
    expect(await acceptedUpdates(handle)).toBe(before + 1);
    await handle.executeUpdate(closeRequestUpdate, { args: [{ actor: ACTORS.agent }] });
    expect(await handle.result()).toBe('closed');
  });

  const REGISTRATION = processOf(
    [
      { ...ACK, next: 'decider' },
      { id: 'decider', kind: 'decide', label: 'Décision', accepted: 'exporter', refused: 'motiver' },
      { id: 'exporter', kind: 'export', label: 'Export vers le logiciel', connector: 'enfance', next: 'informer' },
      { id: 'informer', kind: 'notify', label: 'Réponse', template: 'answer', channel: 'reply', next: 'fin' },
      { id: 'fin', kind: 'close', label: 'Inscrit', outcome: 'answered' },
      { id: 'motiver', kind: 'notify', label: 'Refus motivé', template: 'answer', channel: 'email', next: 'refus' },
      { id: 'refus', kind: 'close', label: 'Refusé', outcome: 'rejected' },
    ],
    'registration',
  );

  it('decides: an accepted registration is exported and answered', async () => {
    const { input, handle } = await start(REGISTRATION, { autoCloseAfterMs: 1_000 });
    await atStep(handle, 'decider');
    expect(await refusal(handle.executeUpdate(acceptRegistrationUpdate, { args: [{ actor: ACTORS.agent }] }))).toBe("Cette action n'est pas possible à l'étape « Décision ».");
    await handle.executeUpdate(openRequestUpdate, { args: [{ actor: ACTORS.agent }] });
    expect((await handle.executeUpdate(acceptRegistrationUpdate, { args: [{ actor: ACTORS.agent, message: 'Inscription validée pour juillet.' }] })).state).toBe('answered');
    // Nobody closes it: the automatic closing does.
    expect(await handle.result()).toBe('closed');
    expect(fake.callsOf(input.requestId).filter((c) => c.name === 'exportRegistration')).toHaveLength(1);
    expect(citizenMessages(input.requestId).map((m) => [m.template, m.vars])).toEqual([
      ['acknowledgement', { trackingCode: input.trackingCode }],
      ['answer', { answer: 'Inscription validée pour juillet.' }],
    ]);
    expect(types(input.requestId)).toEqual(expect.arrayContaining(['registration_accepted', 'exported', 'answered', 'completed', 'closed_automatically']));
    await keepHistory('registration-accepted', handle, PROCESS_HISTORIES_DIR);
  });

  it('decides: a refused registration sends its reason and ends rejected', async () => {
    const { input, handle } = await start(REGISTRATION);
    await atStep(handle, 'decider');
    await handle.executeUpdate(openRequestUpdate, { args: [{ actor: ACTORS.agent }] });
    expect(await refusal(handle.executeUpdate(rejectRegistrationUpdate, { args: [{ actor: ACTORS.agent, reason: '' }] }))).toBe('Le motif est vide.');
    expect((await handle.executeUpdate(rejectRegistrationUpdate, { args: [{ actor: ACTORS.agent, reason: 'Le centre est complet.' }] })).state).toBe('rejected');
    expect(await handle.result()).toBe('rejected');
    expect(citizenMessages(input.requestId).at(-1)).toMatchObject({ template: 'answer', channel: 'email', vars: { answer: 'Le centre est complet.' } });
    expect(fake.callsOf(input.requestId).filter((c) => c.name === 'exportRegistration')).toHaveLength(0);
    expect(types(input.requestId)).toEqual(expect.arrayContaining(['registration_rejected', 'refusal_sent', 'rejected']));
    expect(types(input.requestId)).not.toContain('answered');
    await keepHistory('registration-refused', handle, PROCESS_HISTORIES_DIR);
  });

  const INFORMATION = processOf([
    { ...ACK, next: 'completer' },
    {
      id: 'completer',
      kind: 'request_information',
      label: 'Justificatif de domicile',
      template: 'information_requested',
      reminderAfter: 'PT1S',
      timeout: 'PT2S',
      next: 'repondre',
      abandoned: 'abandon',
    },
    { id: 'repondre', kind: 'answer', label: 'Répondre', next: 'envoyer' },
    { id: 'envoyer', kind: 'notify', label: 'Réponse', template: 'answer', channel: 'reply', next: 'fin' },
    { id: 'fin', kind: 'close', label: 'Répondu', outcome: 'answered' },
    { id: 'abandon', kind: 'close', label: 'Sans réponse', outcome: 'abandoned' },
  ]);

  it('asks the citizen, reminds them, and closes as abandoned after the timeout', async () => {
    const { input, handle } = await start(INFORMATION);
    expect(await handle.result()).toBe('closed');
    const asks = citizenMessages(input.requestId).filter((m) => m.template === 'information_requested');
    expect(asks.map((m) => m.vars)).toEqual([{ question: 'Justificatif de domicile' }, { question: 'Justificatif de domicile', reminder: true }]);
    expect(types(input.requestId)).toEqual(['received', 'information_requested', 'information_reminder_sent', 'information_timeout', 'abandoned']);
    expect(fake.eventsOf(input.requestId).at(-1)!.state).toBe('closed');
    // One timer for the reminder, one for what remains of the timeout after it.
    const timers = await timersOf(handle);
    expect(timers[0]).toBeGreaterThan(0);
    expect(timers[0]).toBeLessThanOrEqual(1_000);
    expect(timers[0] + timers[1]).toBeLessThanOrEqual(2_000);
    await keepHistory('information-abandoned', handle, PROCESS_HISTORIES_DIR);
  });

  it('goes on when the citizen replies in time; the guaranteed date moves by the time the clock stood still', async () => {
    const { input, handle } = await start(
      processOf([INFORMATION.steps[0], { ...(INFORMATION.steps[1] as ProcessStep & { kind: 'request_information' }), template: undefined, timeout: 'PT1H', reminderAfter: undefined }, ...INFORMATION.steps.slice(2)]),
    );
    const step = await atStep(handle, 'completer');
    // Without a template, the agent writes the question.
    expect(step.allowedActions).toContain('askCitizen');
    expect((await handle.executeUpdate(askCitizenUpdate, { args: [{ actor: ACTORS.agent, question: 'Quelle est votre adresse ?' }] })).state).toBe('awaiting_citizen');
    expect((await handle.query(currentStepQuery)).allowedActions).not.toContain('askCitizen');
    await handle.signal(citizenReplySignal, { body: '12 rue des Écoles', via: 'web' });
    await atStep(handle, 'repondre');
    const snapshot = await handle.query(snapshotQuery);
    expect(Date.parse(snapshot.dueAt)).toBeGreaterThan(Date.parse(input.dueAt));
    expect(snapshot.state).toBe('in_progress');
    await handle.executeUpdate(openRequestUpdate, { args: [{ actor: ACTORS.agent }] });
    expect((await handle.executeUpdate(answerRequestUpdate, { args: [{ actor: ACTORS.agent, body: 'Merci, dossier complet.' }] })).state).toBe('answered');
    await handle.executeUpdate(closeRequestUpdate, { args: [{ actor: ACTORS.agent }] });
    expect(await handle.result()).toBe('closed');
    expect(types(input.requestId)).toEqual(expect.arrayContaining(['information_requested', 'citizen_replied', 'answer_written', 'answered']));
    await keepHistory('information-replied', handle, PROCESS_HISTORIES_DIR);
  });

  it('waits for a duration, then until a date the form gives, and passes a missing date at once', async () => {
    const until = new Date(Date.now() + 2_000).toISOString();
    const { input, handle } = await start(
      processOf([
        { ...ACK, next: 'patienter' },
        { id: 'patienter', kind: 'wait', label: 'Délai de rétractation', duration: 'PT1S', next: 'jour-j' },
        { id: 'jour-j', kind: 'wait', label: "Jour de l'événement", until: 'data.date_evenement', next: 'sans-date' },
        { id: 'sans-date', kind: 'wait', label: 'Date absente', until: 'data.absente', next: 'fin' },
        { id: 'fin', kind: 'close', label: 'Fin', outcome: 'closed' },
      ]),
      { formData: { date_evenement: until } },
    );
    expect(await handle.result()).toBe('closed');
    const timers = await timersOf(handle);
    expect(timers[0]).toBeGreaterThan(900);
    expect(timers[0]).toBeLessThanOrEqual(1_000);
    // The second timer runs until the form's date, from wherever the run was then.
    expect(timers[1]).toBeGreaterThan(0);
    expect(timers[1]).toBeLessThanOrEqual(Date.parse(until) - Date.parse(input.receivedAt));
    // A missing date still starts a timer (of 1 ms): whether a timer starts never depends on the clock.
    expect(timers.slice(2)).toEqual([1]);
    expect(types(input.requestId)).toEqual(['received', 'wait_over', 'wait_over', 'wait_date_missing', 'wait_over', 'closed']);
    await keepHistory('wait-duration-date', handle, PROCESS_HISTORIES_DIR);
  });

  const PAYMENT = processOf(
    [
      { ...ACK, next: 'payer' },
      { id: 'payer', kind: 'collect_payment', label: 'Caution de la salle', amount: 'int(data.jours) * 5000', timeout: 'PT2S', paid: 'confirmer', unpaid: 'impaye' },
      { id: 'confirmer', kind: 'notify', label: 'Confirmation', template: 'state_changed', channel: 'reply', next: 'fin' },
      { id: 'fin', kind: 'close', label: 'Réservée', outcome: 'closed' },
      { id: 'impaye', kind: 'close', label: 'Non payée', outcome: 'abandoned' },
    ],
    'purchase',
  );

  it('collects a payment: a notification moves the request on once the provider confirms it', async () => {
    const { input, handle } = await start({ ...PAYMENT, steps: PAYMENT.steps.map((s) => (s.kind === 'collect_payment' ? { ...s, timeout: 'PT1H' } : s)) }, { formData: { jours: 3 } });
    fake.setPaymentState(input.requestId, 'pending');
    const step = await atStep(handle, 'payer');
    expect(step.allowedActions).toEqual(['closeRequest', 'addNote', 'resendNotification']);
    expect((await handle.query(snapshotQuery)).state).toBe('awaiting_payment');
    // The state shows as soon as it is set; its record follows.
    await eventually(async () => expect(fake.eventsOf(input.requestId).find((e) => e.type === 'payment_requested')?.data).toMatchObject({ amount: 15_000, label: 'Caution de la salle' }));
    expect(fake.callsOf(input.requestId).find((c) => c.name === 'startPayment')!.args).toMatchObject({ amount: 15_000, attempt: 2, expiresInMs: 3_600_000 });
    // A notification the provider does not confirm changes nothing.
    await handle.signal(paymentSettledSignal, { paymentId: 'pay-1', amount: 15_000, paidAt: new Date().toISOString() });
    await eventually(async () => expect(fake.callsOf(input.requestId).filter((c) => c.name === 'checkPayment')).toHaveLength(1));
    expect((await handle.query(currentStepQuery)).stepId).toBe('payer');
    fake.setPaymentState(input.requestId, 'paid');
    await handle.signal(paymentSettledSignal, { paymentId: 'pay-1', amount: 15_000, paidAt: new Date().toISOString() });
    expect(await handle.result()).toBe('closed');
    // The receipt goes out beside the process, which moves on without waiting for it.
    expect(types(input.requestId).filter((t) => t !== 'receipt_sent')).toEqual(['received', 'payment_requested', 'payment_received', 'closed']);
    expect(types(input.requestId).filter((t) => t === 'receipt_sent')).toHaveLength(1);
    const receipts = citizenMessages(input.requestId).filter((m) => m.template === 'payment_receipt');
    expect(receipts).toEqual([expect.objectContaining({ channel: 'email', documentId: `receipt-${handle.workflowId}:receipt:2`, idempotencyKey: `${handle.workflowId}:receipt:2` })]);
    expect(fake.callsOf(input.requestId).find((c) => c.name === 'renderPaymentReceipt')!.args).toMatchObject({ paymentKey: `${handle.workflowId}:payment:2` });
    await keepHistory('payment-paid', handle, PROCESS_HISTORIES_DIR);
  });

  it('records refunds within what was paid, and refuses one on an unpaid request or above the amount paid', async () => {
    const definition = processOf(
      [
        { ...ACK, next: 'payer' },
        { id: 'payer', kind: 'collect_payment', label: 'Caution de la salle', amount: 'int(data.jours) * 5000', timeout: 'PT1H', paid: 'attendre', unpaid: 'impaye' },
        { id: 'attendre', kind: 'wait', label: 'Jusqu’à la location', duration: 'PT1H', next: 'fin' },
        { id: 'fin', kind: 'close', label: 'Réservée', outcome: 'closed' },
        { id: 'impaye', kind: 'close', label: 'Non payée', outcome: 'abandoned' },
      ],
      'purchase',
    );
    const { input, handle } = await start(definition, { formData: { jours: 3 } });
    fake.setPaymentState(input.requestId, 'pending');
    const { agent, voirie } = ACTORS;
    expect((await atStep(handle, 'payer')).allowedActions).not.toContain('recordRefund');
    expect(await refusal(handle.executeUpdate(recordRefundUpdate, { args: [{ actor: agent, amount: 500, reason: 'Annulation' }] }))).toBe('Cette demande n’a pas été payée en ligne : il n’y a rien à rembourser.');
    fake.setPaymentState(input.requestId, 'paid');
    await handle.signal(paymentSettledSignal, { paymentId: 'pay-1', amount: 1_500, paidAt: new Date().toISOString() });
    // The fake provider confirms 15,00 €.
    expect((await atStep(handle, 'attendre')).allowedActions).toContain('recordRefund');
    const refund = (amount: number, reason = 'Spectacle annulé', actor: typeof agent = agent) => handle.executeUpdate(recordRefundUpdate, { args: [{ actor, amount, reason }] });
    expect(await refusal(refund(2_000))).toBe('Le remboursement (20,00 €) dépasse le montant payé restant à rembourser (15,00 €).');
    expect(await refusal(refund(0))).toBe('Indiquez un montant de remboursement positif, en euros et centimes.');
    expect(await refusal(refund(12.5))).toBe('Indiquez un montant de remboursement positif, en euros et centimes.');
    expect(await refusal(refund(500, '  '))).toBe('Le motif du remboursement est vide.');
    expect(await refusal(refund(500, 'Autre service', voirie))).toBe('Cette demande est traitée par un autre service.');
    await refund(1_000);
    expect(await refusal(refund(501))).toBe('Le remboursement (5,01 €) dépasse le montant payé restant à rembourser (5,00 €).');
    await refund(500);
    expect(await refusal(refund(1))).toBe('Le montant payé a déjà été entièrement remboursé.');
    expect((await handle.query(currentStepQuery)).allowedActions).not.toContain('recordRefund');
    // Refused refunds never entered history: two recorded, with what was paid and refunded so far.
    await eventually(() => expect(fake.eventsOf(input.requestId).filter((e) => e.type === 'refund_recorded').map((e) => e.data)).toEqual([
      expect.objectContaining({ amount: 1_000, reason: 'Spectacle annulé', paid: 1_500, refunded: 1_000 }),
      expect.objectContaining({ amount: 500, paid: 1_500, refunded: 1_500 }),
    ]));
    await handle.terminate('test over');
    await keepHistory('payment-refunds', handle, PROCESS_HISTORIES_DIR);
  });

  it('collects a payment: unpaid after the timeout', async () => {
    const { input, handle } = await start(PAYMENT, { formData: { jours: 1 } });
    fake.setPaymentState(input.requestId, 'pending');
    expect(await handle.result()).toBe('closed');
    expect(fake.callsOf(input.requestId).map((c) => c.name).filter((name) => name.endsWith('Payment') || name === 'expireUnpaid')).toEqual(['startPayment', 'expireUnpaid']);
    expect(types(input.requestId)).toEqual(['received', 'payment_requested', 'payment_timeout', 'abandoned']);
    await keepHistory('payment-unpaid', handle, PROCESS_HISTORIES_DIR);
    expect((await timersOf(handle)).at(-1)).toBeLessThanOrEqual(2_000);
  });

  it('collects a payment offline when the tenant takes none online: a notification is not trusted, the timeout ends the step', async () => {
    const { input, handle } = await start(PAYMENT, { tenantId: OFFLINE_TENANT, formData: { jours: 2 } });
    await eventually(async () => expect(fake.eventsOf(input.requestId).find((e) => e.type === 'payment_requested')?.data).toMatchObject({ amount: 10_000, online: false }));
    await handle.signal(paymentSettledSignal, { paymentId: 'forged', amount: 10_000, paidAt: new Date().toISOString() });
    expect(await handle.result()).toBe('closed');
    expect(types(input.requestId)).toEqual(['received', 'payment_requested', 'payment_unexpected', 'payment_timeout', 'abandoned']);
  });

  it('tells the citizen when the payment page expired, and ends the step at its own timeout', async () => {
    const { input, handle } = await start({ ...PAYMENT, steps: PAYMENT.steps.map((s) => (s.kind === 'collect_payment' ? { ...s, timeout: 'PT3S' } : s)) }, { tenantId: SHORT_WINDOW_TENANT, formData: { jours: 1 } });
    fake.setPaymentState(input.requestId, 'pending');
    expect(await handle.result()).toBe('closed');
    expect(types(input.requestId)).toEqual(['received', 'payment_requested', 'payment_expired', 'payment_timeout', 'abandoned']);
  });

  it("reminds at percents of a step's own delay, and of the guaranteed delay; both show in currentStep", async () => {
    const { input, handle } = await start(
      processOf([
        { ...ACK, next: 'repondre' },
        {
          id: 'repondre',
          kind: 'answer',
          label: 'Répondre',
          delay: { delay: 'PT2S', businessDays: false },
          escalation: [
            { percent: 50, recipients: ['department'] },
            { percent: 100, recipients: ['head'] },
          ],
          next: 'envoyer',
        },
        { id: 'envoyer', kind: 'notify', label: 'Réponse', template: 'answer', channel: 'reply', next: 'fin' },
        { id: 'fin', kind: 'close', label: 'Répondu', outcome: 'answered' },
      ]),
      { dueInMs: 1_500, escalation: [{ percent: 100, recipients: ['administrators'] }] },
    );
    const step = await atStep(handle, 'repondre');
    expect(step.stepDueAt).toBeDefined();
    expect(Date.parse(step.stepDueAt!) - Date.parse(input.receivedAt)).toBeGreaterThanOrEqual(2_000);
    expect(step.dueAt).toBe(input.dueAt);
    const reminders = await eventually(() => {
      const list = staffMessages(input.requestId).filter((m) => m.template === 'reminder');
      expect(list).toHaveLength(3);
      return list;
    });
    expect(reminders.map((m) => [m.recipients, m.vars]).sort()).toEqual(
      [
        [['administrators'], { percent: 100 }],
        [['department'], { percent: 50, stepLabel: 'Répondre' }],
        [['head'], { percent: 100, stepLabel: 'Répondre' }],
      ].sort(),
    );
    expect((await handle.query(snapshotQuery)).remindersSent).toEqual([0]);
    await handle.executeUpdate(openRequestUpdate, { args: [{ actor: ACTORS.agent }] });
    await handle.executeUpdate(answerRequestUpdate, { args: [{ actor: ACTORS.agent, body: 'Réponse tardive.' }] });
    await handle.executeUpdate(closeRequestUpdate, { args: [{ actor: ACTORS.agent }] });
    expect(await handle.result()).toBe('closed');
    expect(types(input.requestId).filter((t) => t === 'step_reminder_sent')).toHaveLength(2);
    await keepHistory('step-escalation', handle, PROCESS_HISTORIES_DIR);
  });

  it('acknowledges on every channel asked, issues documents, and notifies by post with a letter', async () => {
    const { input, handle } = await start(
      processOf(
        [
          { ...ACK, channels: ['reply', 'sms', 'post'], next: 'repondre' },
          { id: 'repondre', kind: 'answer', label: 'Répondre', next: 'acte' },
          { id: 'acte', kind: 'issue_document', label: "Copie d'acte", template: 'certificate', next: 'courrier' },
          { id: 'courrier', kind: 'notify', label: 'Envoi postal', template: 'answer', channel: 'post', next: 'fin' },
          { id: 'fin', kind: 'close', label: 'Délivré', outcome: 'closed' },
        ],
        'document',
      ),
    );
    await atStep(handle, 'repondre');
    await handle.executeUpdate(openRequestUpdate, { args: [{ actor: ACTORS.agent }] });
    expect((await handle.executeUpdate(answerRequestUpdate, { args: [{ actor: ACTORS.agent, body: 'Votre acte est joint.' }] })).state).toBe('closed');
    expect(await handle.result()).toBe('closed');
    const calls = fake.callsOf(input.requestId);
    // Sent side by side: in either order.
    expect(calls.filter((c) => c.name === 'notifyCitizen').map((c) => [c.args.idempotencyKey, c.args.channel]).sort()).toEqual([
      [`${handle.workflowId}:ack`, undefined],
      [`${handle.workflowId}:ack:sms`, 'sms'],
    ]);
    expect(calls.filter((c) => c.name.startsWith('render')).map((c) => c.name)).toEqual(['renderAcknowledgement', 'renderCertificate', 'renderAnswerLetter']);
    expect(calls.find((c) => c.name === 'renderAnswerLetter')!.args.answer).toBe('Votre acte est joint.');
    expect(types(input.requestId).filter((t) => t.endsWith('_ready'))).toEqual(['document_ready', 'document_ready', 'letter_ready']);
    await keepHistory('documents-post', handle, PROCESS_HISTORIES_DIR);
  });
});
