import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllORMs } from '@/domain/orm';
import { actorFor, createTestTenant, departmentOf, eventsOf, fileRequest, requestRow } from '@/temporal/testing/fixtures';
import { citizenEmail } from '@/temporal/testing/helpers';
import { keepHistory } from '@/temporal/testing/histories';
import { answerRequestUpdate, approveAnswerUpdate, closeRequestUpdate, returnDraftUpdate, submitForValidationUpdate, transferRequestUpdate, type ActionResult } from './definitions';

afterAll(() => closeAllORMs());

// Races are probabilistic: every pair is sent this many times, each on a request of its own.
const ROUNDS = 5;

type Tenant = Awaited<ReturnType<typeof createTestTenant>>;

interface Round {
  handle: WorkflowHandle;
  reference: string;
  outcomes: PromiseSettledResult<ActionResult>[];
}

/** Files ROUNDS requests, prepares each, then sends both updates of the pair at the same instant. */
async function race(
  tenant: Tenant,
  topic: string,
  prepare: (handle: WorkflowHandle) => Promise<unknown>,
  pair: (handle: WorkflowHandle) => [Promise<ActionResult>, Promise<ActionResult>],
): Promise<Round[]> {
  return Promise.all(
    Array.from({ length: ROUNDS }, async () => {
      const { receipt, handle } = await fileRequest(tenant.slug, { topic, contact: { email: citizenEmail() } });
      await prepare(handle);
      const outcomes = await Promise.allSettled(pair(handle));
      return { handle, reference: receipt.reference, outcomes };
    }),
  );
}

function accepted(round: Round): number {
  return round.outcomes.filter((o) => o.status === 'fulfilled').length;
}

function refusals(round: Round): string[] {
  return round.outcomes.flatMap((o) => {
    if (o.status === 'fulfilled') return [];
    expect(o.reason).toBeInstanceOf(WorkflowUpdateFailedError);
    return [((o.reason as WorkflowUpdateFailedError).cause as Error).message];
  });
}

/** How many times each event type appears in the case timeline projected to PostgreSQL. */
async function timeline(tenant: Tenant, round: Round): Promise<Record<string, number>> {
  const row = await requestRow(tenant.slug, round.reference);
  const counts: Record<string, number> = {};
  for (const event of await eventsOf(row.id)) counts[event.type] = (counts[event.type] ?? 0) + 1;
  return counts;
}

describe('conflicting agent actions sent at the same instant', () => {
  it('accepts one of two approvals and refuses the other in French; the timeline shows one approval and one answer', { timeout: 120_000 }, async () => {
    const tenant = await createTestTenant();
    const civil = await actorFor(tenant.slug, tenant.mail('civil'));
    const validator = await actorFor(tenant.slug, tenant.mail('valideur'));
    const admin = await actorFor(tenant.slug, tenant.mail('admin'));
    const rounds = await race(
      tenant,
      'acte',
      (h) => h.executeUpdate(submitForValidationUpdate, { args: [{ actor: civil, body: 'Votre acte partira demain.' }] }),
      (h) => [h.executeUpdate(approveAnswerUpdate, { args: [{ actor: validator }] }), h.executeUpdate(approveAnswerUpdate, { args: [{ actor: admin }] })],
    );
    expect(rounds.map(accepted)).toEqual(Array(ROUNDS).fill(1));
    for (const round of rounds) {
      expect(refusals(round)).toEqual(["Aucune réponse n'attend de validation."]);
      expect(await timeline(tenant, round)).toMatchObject({ approved: 1, answered: 1 });
    }
    await keepHistory('concurrent-approvals', rounds[0].handle);
  });

  it('accepts either the approval or the return of a draft, never both', { timeout: 120_000 }, async () => {
    const tenant = await createTestTenant();
    const civil = await actorFor(tenant.slug, tenant.mail('civil'));
    const validator = await actorFor(tenant.slug, tenant.mail('valideur'));
    const admin = await actorFor(tenant.slug, tenant.mail('admin'));
    const rounds = await race(
      tenant,
      'acte',
      (h) => h.executeUpdate(submitForValidationUpdate, { args: [{ actor: civil, body: 'Votre acte partira demain.' }] }),
      (h) => [
        h.executeUpdate(approveAnswerUpdate, { args: [{ actor: validator }] }),
        h.executeUpdate(returnDraftUpdate, { args: [{ actor: admin, comment: 'Précisez la date.' }] }),
      ],
    );
    expect(rounds.map(accepted)).toEqual(Array(ROUNDS).fill(1));
    for (const round of rounds) {
      expect(refusals(round)).toEqual(["Aucune réponse n'attend de validation."]);
      const counts = await timeline(tenant, round);
      const approvedWon = round.outcomes[0].status === 'fulfilled';
      expect([counts.approved ?? 0, counts.answered ?? 0, counts.returned ?? 0]).toEqual(approvedWon ? [1, 1, 0] : [0, 0, 1]);
    }
  });

  it('accepts either the transfer or the answer, never both', { timeout: 120_000 }, async () => {
    const tenant = await createTestTenant();
    const agent = await actorFor(tenant.slug, tenant.mail('agent'));
    const target = await departmentOf(tenant.slug, 'etat-civil');
    const rounds = await race(
      tenant,
      'question',
      () => Promise.resolve(),
      (h) => [
        h.executeUpdate(transferRequestUpdate, { args: [{ actor: agent, to: target }] }),
        h.executeUpdate(answerRequestUpdate, { args: [{ actor: agent, body: 'Voici la réponse.' }] }),
      ],
    );
    expect(rounds.map(accepted)).toEqual(Array(ROUNDS).fill(1));
    for (const round of rounds) {
      const transferWon = round.outcomes[0].status === 'fulfilled';
      expect(refusals(round)).toEqual([transferWon ? 'Cette demande est traitée par un autre service.' : 'Cette demande a déjà reçu une réponse ou est close.']);
      const counts = await timeline(tenant, round);
      expect([counts.transferred ?? 0, counts.answered ?? 0]).toEqual(transferWon ? [1, 0] : [0, 1]);
    }
    await keepHistory('concurrent-transfer-answer', rounds[0].handle);
  });

  it('sends one of two answers and refuses the other; the case keeps the answer that was sent and can still be closed', { timeout: 120_000 }, async () => {
    const tenant = await createTestTenant();
    const agent = await actorFor(tenant.slug, tenant.mail('agent'));
    const admin = await actorFor(tenant.slug, tenant.mail('admin'));
    const rounds = await race(
      tenant,
      'question',
      () => Promise.resolve(),
      (h) => [
        h.executeUpdate(answerRequestUpdate, { args: [{ actor: agent, body: "Réponse de l'agent." }] }),
        h.executeUpdate(answerRequestUpdate, { args: [{ actor: admin, body: "Réponse de l'administrateur." }] }),
      ],
    );
    expect(rounds.map(accepted)).toEqual(Array(ROUNDS).fill(1));
    for (const round of rounds) {
      expect(refusals(round)).toEqual(['Cette demande a déjà reçu une réponse ou est close.']);
      expect((await timeline(tenant, round)).answered).toBe(1);
      const sent = round.outcomes[0].status === 'fulfilled' ? "Réponse de l'agent." : "Réponse de l'administrateur.";
      expect((await requestRow(tenant.slug, round.reference)).answer).toBe(sent);
      // A refusal under the lock releases it: the next action runs and the workflow completes.
      expect((await round.handle.executeUpdate(closeRequestUpdate, { args: [{ actor: agent }] })).state).toBe('closed');
      expect(await round.handle.result()).toBe('closed');
    }
  });
});
