// Every shipped process, filed through the real intake and driven to its end by the actions its steps allow, on the
// real stack (activities, database, mail); each run's history is kept for the replay test.
import { afterAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { env } from '@/domain/env';
import { createFormIntake } from '@/domain/intake/forms';
import { createIntake } from '@/domain/intake/submission';
import { closeAllORMs, initORM } from '@/domain/orm';
import { validSamples } from '@/forms/samples';
import { requestWorkflowStarter } from '@/temporal/client';
import { actorFor, createTestTenant, eventually, requestRow, testClient } from '@/temporal/testing/fixtures';
import { citizenEmail } from '@/temporal/testing/helpers';
import { keepHistory, PROCESS_HISTORIES_DIR } from '@/temporal/testing/histories';
import { payOnSimulator } from '@/temporal/testing/payment';
import {
  acceptRegistrationUpdate,
  answerRequestUpdate,
  approveAnswerUpdate,
  closeRequestUpdate,
  currentStepQuery,
  openRequestUpdate,
  requestWorkflowId,
  submitForValidationUpdate,
  type Actor,
} from '@/workflows/process/definitions';

afterAll(() => closeAllORMs());

async function intakes() {
  const orm = await initORM(env().DATABASE_URL!);
  const intake = createIntake({
    orm,
    publicUrl: env().PUBLIC_URL,
    startWorkflow: requestWorkflowStarter({ address: env().TEMPORAL_ADDRESS!, namespace: env().TEMPORAL_NAMESPACE }),
  });
  return { intake, forms: createFormIntake({ orm, intake }) };
}

/** Takes every step's way forward (in charge, answer, approval, acceptance, payment) until the run ends. */
async function driveToEnd(handle: WorkflowHandle, actor: Actor): Promise<string[]> {
  const visited: string[] = [];
  for (let moves = 0; moves < 20; moves += 1) {
    const step = await eventually(async () => {
      const s = await handle.query(currentStepQuery);
      expect(s.inTransit).toBe(false);
      return s;
    });
    if (visited.at(-1) !== step.stepId) visited.push(step.stepId);
    const may = (action: string) => step.allowedActions.includes(action as never);
    if (step.kind === 'close') {
      if (may('closeRequest')) await handle.executeUpdate(closeRequestUpdate, { args: [{ actor }] });
      return visited;
    }
    if ((step.kind === 'answer' || step.kind === 'decide') && !step.takenInCharge) await handle.executeUpdate(openRequestUpdate, { args: [{ actor }] });
    else if (step.kind === 'answer') {
      const body = 'Votre demande est traitée : vous recevrez le document par courrier.';
      const after = await handle.query(currentStepQuery);
      const update = after.allowedActions.includes('submitForValidation') ? submitForValidationUpdate : answerRequestUpdate;
      await handle.executeUpdate(update, { args: [{ actor, body }] });
    } else if (step.kind === 'validate') await handle.executeUpdate(approveAnswerUpdate, { args: [{ actor }] });
    else if (step.kind === 'decide') await handle.executeUpdate(acceptRegistrationUpdate, { args: [{ actor }] });
    else if (step.kind === 'collect_payment') await payOnSimulator(handle);
    else throw new Error(`No way forward from step ${step.stepId} (${step.kind})`);
  }
  throw new Error('The process did not end within 20 moves');
}

describe('shipped processes on the real stack', () => {
  const forms: Record<string, string> = {
    'acte-etat-civil': 'acte-naissance',
    'brochure-touristique': 'brochure-touristique',
    'centre-loisirs': 'centre-loisirs',
    'reservation-salle': 'reservation-salle',
    signalement: 'signalement',
  };

  for (const [process, form] of Object.entries(forms)) {
    it(`${process}: a request filed with the form "${form}" follows the process to its end`, async () => {
      const { forms: formIntake } = await intakes();
      const data = validSamples()[form];
      const receipt = await formIntake.submitForm('demo', form, { data });
      expect((await requestRow('demo', receipt.reference)).process_slug).toBe(process);
      const handle = (await testClient()).workflow.getHandle(requestWorkflowId('demo', receipt.reference));
      const visited = await driveToEnd(handle, await actorFor('demo', 'admin@ville-demo.fr'));
      expect(visited.length).toBeGreaterThan(1);
      expect(['answered', 'closed']).toContain(await handle.result());
      await keepHistory(`shipped-${process}`, handle, PROCESS_HISTORIES_DIR);
    }, 120_000);
  }

  it('question: a topic naming the process sends its answer after validation', async () => {
    const { intake } = await intakes();
    const tenant = await createTestTenant({ questionProcess: 'question' });
    const receipt = await intake.submitRequest(tenant.slug, { topic: 'question', subject: 'Horaires', message: 'Quels sont les horaires ?', contact: { email: citizenEmail('processus') } });
    expect((await requestRow(tenant.slug, receipt.reference)).process_slug).toBe('question');
    // The process's guaranteed delay (8 calendar days), not the topic's hour, is the one announced.
    expect(Math.round((Date.parse(receipt.dueAt) - Date.now()) / 86_400_000)).toBe(8);
    const handle = (await testClient()).workflow.getHandle(requestWorkflowId(tenant.slug, receipt.reference));
    const visited = await driveToEnd(handle, await actorFor(tenant.slug, tenant.mail('admin')));
    expect(visited).toEqual(['repondre', 'valider', 'clore']);
    await keepHistory('shipped-question', handle, PROCESS_HISTORIES_DIR);
  }, 120_000);
});
