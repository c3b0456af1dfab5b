import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import fc from 'fast-check';
import type { ProcessDefinition } from '@/domain/processes/definition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTORS,
  bundleWorkflows,
  createWorkflowTestEnv,
  fakeProcessActivities,
  processInput,
  replayHistory,
  startProcessWorker,
  type TestWorkflowEnvironment,
} from '@/temporal/testing/process';
import { randomProcess } from '@/temporal/testing/random-processes';
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
  rejectRegistrationUpdate,
  returnDraftUpdate,
  saveDraftUpdate,
  submitForValidationUpdate,
  type CurrentStep,
} from './definitions';
import { processWorkflow } from './workflow';

// Each case runs for real seconds on a dev server (timeouts of a second): enough cases to meet every kind, few
// enough to stay under a minute. The seed is printed, so a failure can be run again.
const CASES = Number(process.env.RELAIS_PROPERTY_CASES ?? 16);
const SEED = Number(process.env.RELAIS_PROPERTY_SEED ?? Date.now() % 2 ** 31);

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

/** A pseudo-random source of its own per case, so cases do not depend on each other's order. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

// The driver looks again after this long: the run moves on its own meanwhile (timers), the driver only observes.
const pause = () => new Promise((resolve) => setTimeout(resolve, 200));
// Cases run side by side in batches: a worker answering many polling drivers at once is slow to answer queries.
const BATCH = 8;
const STEP_KINDS = ['acknowledge', 'answer', 'close', 'collect_payment', 'decide', 'export', 'issue_document', 'notify', 'request_information', 'route', 'validate', 'wait'];

/**
 * Plays an agent, the citizen and the payment engine: at each step, one of the actions `currentStep` allows (the
 * administrator passes every department and role check), with a bias to moving on once the run has gone on a while.
 */
async function drive(handle: WorkflowHandle, random: () => number): Promise<{ actions: string[]; refused: string[] }> {
  const actor = ACTORS.admin;
  let finished = false;
  void handle.result().then(
    () => (finished = true),
    () => (finished = true),
  );
  const running = async (_handle: WorkflowHandle) => !finished;
  const actions: string[] = [];
  const refused: string[] = [];
  const chance = (p: number) => random() < p;
  for (let round = 0; round < 600 && (await running(handle)); round++) {
    let step: CurrentStep;
    try {
      step = await handle.query(currentStepQuery);
    } catch (error) {
      if (!(await running(handle))) break;
      throw error;
    }
    const state = step.state;
    const late = actions.length > 10;
    const can = (action: string) => step.allowedActions.includes(action as CurrentStep['allowedActions'][number]);
    const act = async (name: string, work: () => Promise<unknown>) => {
      actions.push(`${step.stepId}:${name}`);
      try {
        await work();
      } catch (error) {
        // A timer may move the run between the query and the action: the validator then refuses it, in French.
        if (!(error instanceof WorkflowUpdateFailedError)) {
          // An action sent as the run ends is aborted by the server: only then is another error expected.
          if ((await handle.describe()).status.name === 'RUNNING') throw error;
          return;
        }
        refused.push(((error as WorkflowUpdateFailedError).cause as Error).message);
      }
    };
    const signal = async (name: string, work: () => Promise<unknown>) => {
      actions.push(`${step.stepId}:${name}`);
      await work().catch(async (error: unknown) => {
        if ((await handle.describe()).status.name === 'RUNNING') throw error;
      });
      // Once sent, the run moves on its own: wait until it did, so the signal is not sent twice.
      for (let i = 0; i < 50 && (await running(handle)); i++) {
        const now = await handle.query(currentStepQuery).catch(() => undefined);
        if (!now || now.stepId !== step.stepId || now.state !== state) break;
        await pause();
      }
    };
    if (can('closeRequest') && chance(0.03)) {
      await act('closeRequest', () => handle.executeUpdate(closeRequestUpdate, { args: [{ actor }] }));
      continue;
    }
    if (can('addNote') && chance(0.05)) {
      await act('addNote', () => handle.executeUpdate(addNoteUpdate, { args: [{ actor, text: 'Note interne' }] }));
      continue;
    }
    if (state === 'awaiting_citizen' && step.kind !== 'request_information' && chance(0.5)) {
      await signal('citizenReply', () => handle.signal(citizenReplySignal, { body: 'Voici ma réponse.', via: 'web' }));
      continue;
    }
    switch (step.kind) {
      case 'answer':
      case 'decide':
        if (!step.takenInCharge) await act('openRequest', () => handle.executeUpdate(openRequestUpdate, { args: [{ actor }] }));
        else if (step.kind === 'decide') {
          if (chance(0.5)) await act('acceptRegistration', () => handle.executeUpdate(acceptRegistrationUpdate, { args: [{ actor }] }));
          else await act('rejectRegistration', () => handle.executeUpdate(rejectRegistrationUpdate, { args: [{ actor, reason: 'Dossier incomplet.' }] }));
        } else if (!late && chance(0.15) && state !== 'awaiting_citizen') {
          await act('askCitizen', () => handle.executeUpdate(askCitizenUpdate, { args: [{ actor, question: 'Pouvez-vous préciser ?' }] }));
        } else if (!late && chance(0.15)) {
          await act('saveDraft', () => handle.executeUpdate(saveDraftUpdate, { args: [{ actor, body: 'Brouillon' }] }));
        } else if (can('submitForValidation')) {
          await act('submitForValidation', () => handle.executeUpdate(submitForValidationUpdate, { args: [{ actor, body: 'Réponse à valider.' }] }));
        } else {
          await act('answerRequest', () => handle.executeUpdate(answerRequestUpdate, { args: [{ actor, body: 'Voici la réponse.' }] }));
        }
        break;
      case 'validate':
        if (late || chance(0.7)) await act('approveAnswer', () => handle.executeUpdate(approveAnswerUpdate, { args: [{ actor }] }));
        else await act('returnDraft', () => handle.executeUpdate(returnDraftUpdate, { args: [{ actor, comment: 'À reprendre.' }] }));
        break;
      case 'request_information':
        if (can('askCitizen')) await act('askCitizen', () => handle.executeUpdate(askCitizenUpdate, { args: [{ actor, question: 'Quel est votre numéro de dossier ?' }] }));
        else if (late || chance(0.5)) await signal('citizenReply', () => handle.signal(citizenReplySignal, { body: 'Dossier 42.', via: 'email' }));
        else await signal('letTimeOut', pause);
        break;
      case 'collect_payment':
        if (late || chance(0.5)) await signal('paymentSettled', () => handle.signal(paymentSettledSignal, { paymentId: 'p-1', amount: 1500, paidAt: new Date().toISOString() }));
        else await signal('letTimeOut', pause);
        break;
      case 'close':
        if (can('closeRequest') && chance(0.5)) await act('closeRequest', () => handle.executeUpdate(closeRequestUpdate, { args: [{ actor }] }));
        else await pause();
        break;
      default:
        await pause();
    }
  }
  return { actions, refused };
}

/** Starts and drives a batch of random processes side by side. */
function runBatch(samples: Array<{ definition: ProcessDefinition; formData: Record<string, unknown> }>, offset: number) {
  return Promise.all(
    samples.map(async ({ definition, formData }, index) => {
      // The form's date is read when the case starts, not when the sample was drawn.
      const input = processInput(definition, { formData: { ...formData, rendez_vous: new Date(Date.now() + 500).toISOString() }, dueInMs: 2_000, escalation: definition.escalation!, autoCloseAfterMs: 500 });
      const handle = await env.client.workflow.start(processWorkflow, { args: [input], taskQueue: worker.taskQueue, workflowId: `request:random:${input.reference}` });
      const played = await drive(handle, randomSource(SEED + offset + index));
      const result = await handle.result();
      return { definition, input, handle, played, result };
    }),
  );
}

describe('random valid processes', () => {
  it(`run to completion with random agent actions, and their histories replay (seed ${SEED})`, { timeout: 180_000 }, async () => {
    // The first CASES processes of the seed, and for a kind of step none of them has, the seed's next process that has
    // it: every run meets every kind (16 draws missed « collect_payment » for one seed in a hundred or so).
    const drawn = fc.sample(randomProcess, { numRuns: CASES * 8, seed: SEED });
    const samples = drawn.slice(0, CASES);
    const hasKind = (sample: (typeof drawn)[number], kind: string) => sample.definition.steps.some((step) => step.kind === kind);
    for (const kind of STEP_KINDS) {
      const extra = samples.some((sample) => hasKind(sample, kind)) ? undefined : drawn.slice(CASES).find((sample) => hasKind(sample, kind));
      if (extra) samples.push(extra);
    }
    const outcomes = [];
    for (let first = 0; first < samples.length; first += BATCH) {
      outcomes.push(...(await runBatch(samples.slice(first, first + BATCH), first)));
    }
    const kinds = new Set<string>();
    for (const { definition, input, handle, played, result } of outcomes) {
      const context = JSON.stringify({ seed: SEED, definition, actions: played.actions });
      expect(['closed', 'rejected'], context).toContain(result);
      // The case record ends as the run does.
      expect(fake.eventsOf(input.requestId).at(-1)?.state, context).toBe(result);
      for (const message of played.refused) expect(message, context).toMatch(/^Cette action n'est pas possible à l'étape « .+ »\.$|^Cette réponse doit être soumise/);
      await expect(replayHistory(bundle, await handle.fetchHistory(), handle.workflowId), context).resolves.toBeUndefined();
      definition.steps.forEach((step) => kinds.add(step.kind));
    }
    // The sample met every kind of step.
    expect([...kinds].sort()).toEqual([...STEP_KINDS].sort());
  });
});
