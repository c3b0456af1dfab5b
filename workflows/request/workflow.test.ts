import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllORMs } from '@/domain/orm';
import { actorFor, createTestTenant, departmentOf, eventsOf, eventually, fileRequest, requestRow } from '@/temporal/testing/fixtures';
import { callRoute, citizenEmail, mailTo, waitForMail } from '@/temporal/testing/helpers';
import { keepHistory } from '@/temporal/testing/histories';
import { POST as postReply } from '@/app/api/v1/t/[tenant]/requests/[reference]/replies/route';
import { GET as getRequest } from '@/app/api/v1/t/[tenant]/requests/[reference]/route';
import {
  answerRequestUpdate,
  approveAnswerUpdate,
  askCitizenUpdate,
  closeRequestUpdate,
  openRequestUpdate,
  returnDraftUpdate,
  snapshotQuery,
  submitForValidationUpdate,
  transferRequestUpdate,
} from './definitions';

afterAll(() => closeAllORMs());

async function refusal(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((error as WorkflowUpdateFailedError).cause as Error).message;
}

async function acceptedUpdates(handle: { fetchHistory(): Promise<{ events?: Array<{ workflowExecutionUpdateAcceptedEventAttributes?: unknown }> | null }> }) {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

describe('request workflow', () => {
  it('acknowledges, answers and closes, projecting every step', async () => {
    const tenant = await createTestTenant({ citizenNotifications: ['in_progress', 'closed'] });
    const email = citizenEmail();
    const { receipt, handle } = await fileRequest(tenant.slug, { subject: 'Stationnement', contact: { email, name: 'Paul' } });
    const agent = await actorFor(tenant.slug, tenant.mail('agent'));

    await waitForMail(email, (m) => m.subject!.includes('a bien été reçue'));
    expect((await handle.executeUpdate(openRequestUpdate, { args: [{ actor: agent }] })).state).toBe('in_progress');
    const answered = await handle.executeUpdate(answerRequestUpdate, { args: [{ actor: agent, body: 'Le stationnement est gratuit le dimanche.' }] });
    expect(answered.state).toBe('answered');
    const [answer] = await waitForMail(email, (m) => m.subject!.includes('réponse à votre demande'));
    expect(answer.text).toContain('Le stationnement est gratuit le dimanche.');
    expect((await handle.executeUpdate(closeRequestUpdate, { args: [{ actor: agent }] })).state).toBe('closed');
    expect(await handle.result()).toBe('closed');

    const row = await eventually(async () => {
      const r = await requestRow(tenant.slug, receipt.reference);
      expect(r.state).toBe('closed');
      return r;
    });
    expect(row.answer).toBe('Le stationnement est gratuit le dimanche.');
    expect(row.answered_at).not.toBeNull();
    expect(row.closed_at).not.toBeNull();
    expect((await eventsOf(row.id)).map((e) => e.type)).toEqual(['received', 'opened', 'answered', 'closed']);
    // The citizen chose to hear about "in progress" and "closed": exactly one message each, no duplicates.
    const subjects = (await mailTo(email)).map((m) => m.subject);
    expect(subjects.filter((s) => s!.includes('Traitement en cours'))).toHaveLength(1);
    expect(subjects.filter((s) => s!.includes(': Clos'))).toHaveLength(1);
    expect(subjects).toHaveLength(4);

    const view = await (await callRoute(getRequest, { tenant: tenant.slug, reference: receipt.reference }, { url: `http://relais.test/x?code=${receipt.trackingCode}` })).json();
    expect(view.state).toBe('closed');
    expect(view.answer).toBe('Le stationnement est gratuit le dimanche.');
    expect(view.timeline.map((e: { type: string }) => e.type)).toEqual(['received', 'opened', 'answered', 'closed']);
    await keepHistory('answer-and-close', handle);
  });

  it('refuses actions in the wrong state or department without writing them to history', async () => {
    const tenant = await createTestTenant();
    const { handle } = await fileRequest(tenant.slug, { contact: { email: citizenEmail() } });
    const other = await actorFor(tenant.slug, tenant.mail('civil'));
    const agent = await actorFor(tenant.slug, tenant.mail('agent'));
    const before = await acceptedUpdates(handle);

    expect(await refusal(handle.executeUpdate(answerRequestUpdate, { args: [{ actor: other, body: 'Réponse' }] }))).toBe('Cette demande est traitée par un autre service.');
    expect(await refusal(handle.executeUpdate(answerRequestUpdate, { args: [{ actor: agent, body: '   ' }] }))).toBe('La réponse est vide.');
    expect(await refusal(handle.executeUpdate(approveAnswerUpdate, { args: [{ actor: agent }] }))).toBe("Aucune réponse n'attend de validation.");
    expect(await acceptedUpdates(handle)).toBe(before);

    await handle.executeUpdate(answerRequestUpdate, { args: [{ actor: agent, body: 'Voici la réponse.' }] });
    expect(await refusal(handle.executeUpdate(answerRequestUpdate, { args: [{ actor: agent, body: 'Encore' }] }))).toBe(
      'Cette demande a déjà reçu une réponse ou est close.',
    );
    expect(await acceptedUpdates(handle)).toBe(before + 1);
    await keepHistory('refused-actions', handle);
  });

  it('transfers to another department, which answers; the due date is kept', async () => {
    const tenant = await createTestTenant();
    const email = citizenEmail();
    const { receipt, handle } = await fileRequest(tenant.slug, { contact: { email } });
    const accueil = await actorFor(tenant.slug, tenant.mail('agent'));
    const civil = await actorFor(tenant.slug, tenant.mail('civil'));
    const target = await departmentOf(tenant.slug, 'etat-civil');

    const transferred = await handle.executeUpdate(transferRequestUpdate, { args: [{ actor: accueil, to: target, note: 'Concerne un acte de naissance.' }] });
    expect(transferred.state).toBe('transferred');
    expect(transferred.dueAt).toBe(receipt.dueAt);
    const [notice] = await waitForMail(tenant.mail('civil'), (m) => m.subject!.includes('transférée'));
    expect(notice.text).toContain('Concerne un acte de naissance.');

    expect(await refusal(handle.executeUpdate(answerRequestUpdate, { args: [{ actor: accueil, body: 'Réponse' }] }))).toBe('Cette demande est traitée par un autre service.');
    await handle.executeUpdate(openRequestUpdate, { args: [{ actor: civil }] });
    const answered = await handle.executeUpdate(answerRequestUpdate, { args: [{ actor: civil, body: "Votre acte est en cours d'envoi." }] });
    expect(answered).toEqual({ state: 'answered', dueAt: receipt.dueAt });
    await waitForMail(email, (m) => m.subject!.includes('réponse à votre demande'));
    const row = await eventually(async () => {
      const r = await requestRow(tenant.slug, receipt.reference);
      expect(r.state).toBe('answered');
      return r;
    });
    expect(row.department_id).toBe(target.id);
    expect(new Date(row.due_at).toISOString()).toBe(receipt.dueAt);
    await keepHistory('transfer-then-answer', handle);
  });

  it('sends an answer only after a validator of the department approves it, and returns drafts with a comment', async () => {
    const tenant = await createTestTenant();
    const email = citizenEmail();
    const { handle } = await fileRequest(tenant.slug, { topic: 'acte', contact: { email } });
    const civil = await actorFor(tenant.slug, tenant.mail('civil'));
    const validator = await actorFor(tenant.slug, tenant.mail('valideur'));

    expect(await refusal(handle.executeUpdate(answerRequestUpdate, { args: [{ actor: civil, body: 'Réponse directe' }] }))).toBe(
      'Cette réponse doit être soumise à validation avant envoi.',
    );
    expect((await handle.executeUpdate(submitForValidationUpdate, { args: [{ actor: civil, body: 'Premier jet' }] })).state).toBe('awaiting_validation');
    expect(await refusal(handle.executeUpdate(approveAnswerUpdate, { args: [{ actor: civil }] }))).toBe('Seul un valideur du service émetteur peut valider cette réponse.');

    const returned = await handle.executeUpdate(returnDraftUpdate, { args: [{ actor: validator, comment: 'Précisez le délai.' }] });
    expect(returned.state).toBe('in_progress');
    const snapshot = await handle.query(snapshotQuery);
    expect(snapshot.validationComment).toBe('Précisez le délai.');
    expect(snapshot.draft).toBe('Premier jet');

    await handle.executeUpdate(submitForValidationUpdate, { args: [{ actor: civil, body: 'Votre acte partira sous 3 jours.' }] });
    expect((await handle.executeUpdate(approveAnswerUpdate, { args: [{ actor: validator }] })).state).toBe('answered');
    const answers = await waitForMail(email, (m) => m.subject!.includes('réponse à votre demande'));
    expect(answers).toHaveLength(1);
    expect(answers[0].text).toContain('Votre acte partira sous 3 jours.');
    expect(answers[0].text).not.toContain('Premier jet');
    await keepHistory('validation-return-approve', handle);
  });

  it('stops the clock while waiting for the citizen when the tenant says so', async () => {
    const tenant = await createTestTenant({ stopClock: true });
    const email = citizenEmail();
    const { receipt, handle } = await fileRequest(tenant.slug, { contact: { email } });
    const agent = await actorFor(tenant.slug, tenant.mail('agent'));

    await handle.executeUpdate(openRequestUpdate, { args: [{ actor: agent }] });
    // The clock stops inside the update and restarts when the reply reaches the workflow: the shift of the due date
    // lies between what the test measures around the two, whatever the pause lasted.
    const askSentAt = Date.now();
    await handle.executeUpdate(askCitizenUpdate, { args: [{ actor: agent, question: 'Quelle est votre adresse ?' }] });
    const askedAt = Date.now();
    const [ask] = await waitForMail(email, (m) => m.subject!.includes('complément'));
    expect(ask.text).toContain('Quelle est votre adresse ?');
    const view = await (await callRoute(getRequest, { tenant: tenant.slug, reference: receipt.reference }, { url: `http://relais.test/x?code=${receipt.trackingCode}` })).json();
    expect(view.question).toBe('Quelle est votre adresse ?');

    const replySentAt = Date.now();
    const reply = await callRoute(postReply, { tenant: tenant.slug, reference: receipt.reference }, { method: 'POST', body: { code: receipt.trackingCode, message: '12 rue des Écoles' } });
    expect(reply.status).toBe(202);
    const snapshot = await eventually(async () => {
      const s = await handle.query(snapshotQuery);
      expect(s.state).toBe('in_progress');
      return s;
    });
    const shift = Date.parse(snapshot.dueAt) - Date.parse(receipt.dueAt);
    expect(replySentAt - askedAt).toBeGreaterThan(0);
    expect(shift).toBeGreaterThanOrEqual(replySentAt - askedAt);
    expect(shift).toBeLessThanOrEqual(Date.now() - askSentAt);
    const events = await eventually(async () => {
      const row = await requestRow(tenant.slug, receipt.reference);
      const list = await eventsOf(row.id);
      expect(list.map((e) => e.type)).toContain('citizen_replied');
      return list;
    });
    expect(events.find((e) => e.type === 'citizen_replied')!.data.body).toBe('12 rue des Écoles');
    await keepHistory('awaiting-citizen-clock-stopped', handle);
  });

  it('keeps the due date while waiting for the citizen when the clock runs on', async () => {
    const tenant = await createTestTenant({ stopClock: false });
    const email = citizenEmail();
    const { receipt, handle } = await fileRequest(tenant.slug, { contact: { email } });
    const agent = await actorFor(tenant.slug, tenant.mail('agent'));
    await handle.executeUpdate(askCitizenUpdate, { args: [{ actor: agent, question: 'Pouvez-vous préciser ?' }] });
    // The citizen replies once the question reached them: time has passed that a stopped clock would add.
    const askedAt = Date.now();
    await waitForMail(email, (m) => m.subject!.includes('complément'));
    expect(Date.now() - askedAt).toBeGreaterThan(0);
    const reply = await callRoute(postReply, { tenant: tenant.slug, reference: receipt.reference }, { method: 'POST', body: { code: receipt.trackingCode, message: 'Oui.' } });
    expect(reply.status).toBe(202);
    const snapshot = await eventually(async () => {
      const s = await handle.query(snapshotQuery);
      expect(s.state).toBe('in_progress');
      return s;
    });
    expect(snapshot.dueAt).toBe(receipt.dueAt);
  });

  it('routes everything to reception in a centralised municipality, which dispatches by transfer', async () => {
    const tenant = await createTestTenant({ organisation: 'centralised' });
    const { receipt, handle } = await fileRequest(tenant.slug, { topic: 'acte', contact: { email: citizenEmail() } });
    const reception = await departmentOf(tenant.slug, 'accueil');
    expect((await requestRow(tenant.slug, receipt.reference)).department_id).toBe(reception.id);
    await waitForMail(tenant.mail('agent'), (m) => m.subject!.includes(receipt.reference));
    expect((await mailTo(tenant.mail('civil'))).filter((m) => m.subject!.includes(receipt.reference))).toHaveLength(0);
    const dispatcher = await actorFor(tenant.slug, tenant.mail('agent'));
    await handle.executeUpdate(transferRequestUpdate, { args: [{ actor: dispatcher, to: await departmentOf(tenant.slug, 'etat-civil') }] });
    await waitForMail(tenant.mail('civil'), (m) => m.subject!.includes(`${receipt.reference} transférée`));
  });

  it('refuses a citizen reply with a wrong code or to a closed request', async () => {
    const tenant = await createTestTenant();
    const { receipt, handle } = await fileRequest(tenant.slug, { contact: { email: citizenEmail() } });
    const params = { tenant: tenant.slug, reference: receipt.reference };
    const wrong = await callRoute(postReply, params, { method: 'POST', body: { code: 'AAAA-AAAA-AAAA-AAAA-AAAA', message: 'Bonjour' } });
    expect(wrong.status).toBe(404);
    const empty = await callRoute(postReply, params, { method: 'POST', body: { code: receipt.trackingCode, message: '  ' } });
    expect(empty.status).toBe(400);
    const agent = await actorFor(tenant.slug, tenant.mail('agent'));
    await handle.executeUpdate(closeRequestUpdate, { args: [{ actor: agent }] });
    await eventually(async () => expect((await requestRow(tenant.slug, receipt.reference)).state).toBe('closed'));
    const closed = await callRoute(postReply, params, { method: 'POST', body: { code: receipt.trackingCode, message: 'Bonjour' } });
    expect(closed.status).toBe(409);
  });
});
