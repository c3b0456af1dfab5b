import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { createFormIntake } from '@/domain/intake/forms';
import { createIntake } from '@/domain/intake/submission';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { validSamples } from '@/forms/samples';
import { requestWorkflowStarter } from '@/temporal/client';
import { actorFor, eventsOf, eventually, fileRequest, requestRow, testClient } from '@/temporal/testing/fixtures';
import { citizenEmail, mailTo, waitForMail } from '@/temporal/testing/helpers';
import { keepHistory } from '@/temporal/testing/histories';
import { acceptRegistrationUpdate, answerRequestUpdate, openRequestUpdate, rejectRegistrationUpdate, requestWorkflowId } from '@/workflows/request/definitions';
import { currentStepQuery } from '@/workflows/process/definitions';
import { payOnSimulator } from '@/temporal/testing/payment';

afterAll(() => closeAllORMs());

async function formIntake() {
  const orm = await initORM(env().DATABASE_URL!);
  const intake = createIntake({
    orm,
    publicUrl: env().PUBLIC_URL,
    startWorkflow: requestWorkflowStarter({ address: env().TEMPORAL_ADDRESS!, namespace: env().TEMPORAL_NAMESPACE }),
  });
  return createFormIntake({ orm, intake });
}

async function documentText(requestId: string, kind: string): Promise<string> {
  const orm = await initORM(env().DATABASE_URL!);
  const [doc] = await query<{ content: Buffer }>(orm.em.fork(), 'select content from document where request_id = ? and kind = ?', [requestId, kind]);
  const file = path.join(env().RELAIS_DATA_DIR, `test-${requestId}-${kind}.pdf`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, doc.content);
  try {
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(file, { force: true });
  }
}

async function typesOf(tenant: string, reference: string, until: string): Promise<string[]> {
  return eventually(async () => {
    const types = (await eventsOf((await requestRow(tenant, reference)).id)).map((e) => e.type);
    expect(types).toContain(until);
    return types;
  }, 60_000);
}

describe('documents and exports in the request workflow', () => {
  it('prints the answer as a postal letter for a citizen who chose the post', async () => {
    const email = citizenEmail();
    const { receipt, handle } = await fileRequest('demo', {
      channel: 'post',
      subject: 'Ramassage des encombrants',
      contact: { name: 'Marie Curie', email, postalAddress: '12 rue des Écoles\n75005 Paris' },
    });
    const agent = await actorFor('demo', 'accueil@ville-demo.fr');
    await handle.executeUpdate(answerRequestUpdate, { args: [{ actor: agent, body: 'Le ramassage a lieu le premier lundi du mois.' }] });
    await typesOf('demo', receipt.reference, 'letter_ready');
    const row = await requestRow('demo', receipt.reference);
    const text = await documentText(row.id, 'answer_letter');
    expect(text).toContain('Ville de Démo');
    expect(text).toContain('Marie Curie');
    expect(text).toContain('75005 Paris');
    expect(text).toContain('Le ramassage a lieu le premier lundi du mois.');
    expect(text).toContain(receipt.reference);
    await keepHistory('answer-by-post', handle);
  });

  it('follows the room booking process: decision, deposit paid, then a CSV file for the business software', async () => {
    const email = citizenEmail('salle');
    const data = { ...validSamples()['reservation-salle'], courriel: email };
    const receipt = await (await formIntake()).submitForm('demo', 'reservation-salle', { data });
    const row = await requestRow('demo', receipt.reference);
    expect(row.process_slug).toBe('reservation-salle');
    const handle = (await testClient()).workflow.getHandle(requestWorkflowId('demo', receipt.reference));
    const agent = await actorFor('demo', 'accueil@ville-demo.fr');
    // The decision step takes the request in charge explicitly before deciding.
    await expect(handle.executeUpdate(acceptRegistrationUpdate, { args: [{ actor: agent }] })).rejects.toThrow();
    await handle.executeUpdate(openRequestUpdate, { args: [{ actor: agent }] });
    const accepted = await handle.executeUpdate(acceptRegistrationUpdate, { args: [{ actor: agent }] });
    expect(accepted.state).toBe('awaiting_payment');
    expect((await handle.query(currentStepQuery)).kind).toBe('collect_payment');
    await payOnSimulator(handle);
    // A second notification of the same payment (PayFiP notifying twice) changes nothing: one receipt, one e-mail.
    await payOnSimulator(handle);
    const types = await typesOf('demo', receipt.reference, 'exported');
    expect(types).toEqual(expect.arrayContaining(['received', 'registration_accepted', 'payment_requested', 'payment_received', 'exported']));
    const file = path.join(env().EXPORT_DIR!, 'reservations-salles', `${receipt.reference}.csv`);
    expect(fs.readFileSync(file, 'utf8')).toContain(receipt.reference);
    const [mail] = await waitForMail(email, (m) => m.subject!.includes('réponse à votre demande'));
    expect(mail.text).toContain('Votre inscription est acceptée');
    // Taken in charge, awaiting payment, paid: the citizen hears of "Traitement en cours" once.
    expect(await waitForMail(email, (m) => m.subject!.includes('Traitement en cours'))).toHaveLength(1);
    const [receiptMail] = await waitForMail(email, (m) => m.subject!.includes('reçu de votre paiement'));
    expect(receiptMail.attachments).toEqual([expect.objectContaining({ filename: `recu-paiement-${receipt.reference}.pdf`, contentType: 'application/pdf' })]);
    const receiptText = await documentText(row.id, 'payment_receipt');
    expect(receiptText).toContain(receipt.reference);
    expect(receiptText).toContain('numauto');
    const all = await typesOf('demo', receipt.reference, 'receipt_sent');
    expect(all.filter((t) => t === 'receipt_sent')).toHaveLength(1);
    expect((await mailTo(email)).filter((m) => m.subject!.includes('reçu de votre paiement'))).toHaveLength(1);
    await keepHistory('registration-accepted-exported', handle);
  });

  it('refuses a registration decision on a request that is not a registration, and rejects with a reason', async () => {
    const question = await fileRequest('demo', { contact: { email: citizenEmail() } });
    const agent = await actorFor('demo', 'accueil@ville-demo.fr');
    await expect(question.handle.executeUpdate(acceptRegistrationUpdate, { args: [{ actor: agent }] })).rejects.toThrow();

    const email = citizenEmail('refus');
    const data = { ...validSamples()['reservation-salle'], courriel: email };
    const receipt = await (await formIntake()).submitForm('demo', 'reservation-salle', { data });
    const handle = (await testClient()).workflow.getHandle(requestWorkflowId('demo', receipt.reference));
    await handle.executeUpdate(openRequestUpdate, { args: [{ actor: agent }] });
    const rejected = await handle.executeUpdate(rejectRegistrationUpdate, { args: [{ actor: agent, reason: 'La salle est déjà réservée à cette date.' }] });
    expect(rejected.state).toBe('rejected');
    const [mail] = await waitForMail(email, (m) => m.subject!.includes('réponse à votre demande'));
    expect(mail.text).toContain('La salle est déjà réservée à cette date.');
    expect(await handle.result()).toBe('rejected');
    expect(fs.existsSync(path.join(env().EXPORT_DIR!, 'reservations-salles', `${receipt.reference}.csv`))).toBe(false);
  });
});
