import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SmscSimulator } from '@/dev/smsc-simulator/simulator.js';
import { env } from '@/domain/env.js';
import { initORM } from '@/domain/orm.js';
import { query } from '@/domain/sql.js';
import { createSmsChannel } from './channel.js';
import { startProfileWorker } from '@/temporal/testing/profiles.js';
import { ACTIVITY_PROFILES } from '@/workflows/request/profiles.js';
import type { SmppGateway } from './gateway.js';
import type { GatewayReceipt } from './deliver-sm.js';
import { parseDeliveryReceipt } from './receipt.js';
import { receiptQuotes, SmsStore, type SmsOutcome } from './store.js';
import { startTestSmsc, testGateway, waitFor } from './testing.js';

let smsc: SmscSimulator | undefined;
let gateway: SmppGateway | undefined;
let tenantId: string;

beforeAll(async () => {
  const orm = await initORM(env().DATABASE_URL!);
  [{ id: tenantId }] = await query<{ id: string }>(orm.em.fork(), "select id from tenant where slug = 'demo'");
});

afterEach(async () => {
  await gateway?.stop();
  await smsc?.stop();
  gateway = smsc = undefined;
});

async function storeWithGateway(options: Parameters<typeof startTestSmsc>[0] = {}) {
  const orm = await initORM(env().DATABASE_URL!);
  const store = new SmsStore(orm, { leaseSeconds: 1 });
  const outcomes: SmsOutcome[] = [];
  smsc = await startTestSmsc(options);
  gateway = testGateway(smsc, {
    // Fast enough that a drop always finds submits in flight, so the retries this file is about do happen.
    ratePerSecond: 2_000,
    windowSize: 20,
    onDeliveryReceipt: async (receipt) => void outcomes.push(...(await store.recordReceipt(receipt))),
  });
  await gateway.start();
  return { orm, store, channel: createSmsChannel({ store, gateway }), outcomes };
}

describe('SmsStore with the SMS channel', () => {
  it('never submits a segment twice when the SMSC drops the connection mid-batch, whether the gateway resubmits or an attempt is retried', async () => {
    const { orm, channel } = await storeWithGateway({ responseDelayMs: 5 });
    const run = randomUUID().slice(0, 8);
    const drafts = Array.from({ length: 60 }, (_, index) => ({
      tenantId,
      idempotencyKey: `test:${run}:${index}`,
      to: `+3361${String(index).padStart(7, '0')}`,
      from: 'VILLEDEMO',
      text: index % 4 === 0 ? `Message long ${index}, réponse détaillée. `.repeat(12) : `Message ${index}`,
    }));
    // Sent the way notifyCitizen sends it: under a real worker, with the workflow's notification profile.
    const worker = await startProfileWorker({ sendSms: channel.send });
    const sending = Promise.all(drafts.map((draft) => worker.run('sendSms', [draft], ACTIVITY_PROFILES.notification))).finally(() => worker.close());
    // Budgets for a loaded machine: the sends now go through the Temporal server.
    await waitFor(() => smsc!.submitted.length >= 30, '30 submissions', 30_000);
    // Graceful drops flush the responses of what the SMSC took: each accepted segment's id reached us once.
    smsc!.dropConnections();
    await waitFor(() => gateway!.stats().binds === 2, 'a rebind', 10_000);
    await waitFor(() => smsc!.submitted.length >= 70, '70 submissions', 30_000);
    smsc!.dropConnections();
    const runs = await sending;
    // A retry of a finished message is a no-op too.
    const again = await channel.send(drafts[0]);

    expect(again.alreadySubmitted).toBe(true);
    expect(runs.every((run) => run.failure === undefined && run.attempts.at(-1)?.outcome === 'completed')).toBe(true);
    // Whether a drop fails an attempt (retried by Temporal) or is absorbed by the gateway's resubmission depends on
    // where it lands in the batch; both paths must leave each segment submitted once.
    expect(smsc!.stats().drops).toBeGreaterThanOrEqual(2);
    // Temporal numbers the attempts; on a loaded machine an attempt can time out before it reaches the code.
    for (const run of runs) {
      const numbers = run.attempts.map((a) => a.attempt);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      expect(run.historyAttempt).toBe(numbers.at(-1));
    }
    const keys = smsc!.submitted.map((message) => `${message.to}#${message.concat?.sequence ?? 1}`);
    expect(new Set(keys).size).toBe(keys.length);
    const rows = await query<{ idempotency_key: string; status: string; segment_count: number; segments: string }>(
      orm.em.fork(),
      `select m.idempotency_key, m.status, m.segment_count, (select count(*) from sms_segment s where s.sms_message_id = m.id) as segments
         from sms_message m where m.idempotency_key like ?`,
      [`test:${run}:%`],
    );
    expect(rows).toHaveLength(60);
    for (const row of rows) expect(Number(row.segments)).toBe(row.segment_count);
    expect(keys).toHaveLength(rows.reduce((sum, row) => sum + row.segment_count, 0));
  });

  it('matches a receipt that arrives before its segment is recorded, and keeps unknown receipts raw', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const store = new SmsStore(orm);
    const key = `test:${randomUUID()}`;
    const claim = await store.claim({ tenantId, idempotencyKey: key, to: '+33612345678', from: 'VILLEDEMO', text: 'Bonjour' });
    expect(claim.kind).toBe('send');
    const smscId = `early-${randomUUID().slice(0, 8)}`;
    const receipt: GatewayReceipt = {
      ...parseDeliveryReceipt({ text: `id:${smscId} sub:001 dlvrd:001 submit date:2611281200 done date:2611281201 stat:DELIVRD err:000 text:Bonjour` }),
      from: '33612345678',
      to: 'VILLEDEMO',
    };
    expect(await store.recordReceipt(receipt)).toEqual([]);
    await store.markSubmitted(claim.sms.id, [smscId]);
    // Matched by the reconciliation that follows the submission's commit.
    await expect
      .poll(async () => (await query<{ status: string }>(orm.em.fork(), 'select status from sms_message where idempotency_key = ?', [key]))[0].status)
      .toBe('delivered');

    const garbage: GatewayReceipt = { ...parseDeliveryReceipt({ text: 'Votre message a ete remis ???' }), from: '336', to: 'X' };
    await store.recordReceipt(garbage);
    const kept = await query<{ source: string; raw: { raw: string } }>(orm.em.fork(), "select source, raw from sms_receipt where raw->>'raw' = ?", [garbage.raw]);
    expect(kept).toEqual([{ source: 'raw', raw: expect.objectContaining({ raw: 'Votre message a ete remis ???' }) }]);
  });

  it('keeps the receipt that decides a segment on it, and every other one (intermediate, repeated) in sms_receipt', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const store = new SmsStore(orm);
    const claim = await store.claim({ tenantId, idempotencyKey: `test:${randomUUID()}`, to: '+33612345678', from: 'VILLEDEMO', text: 'Bonjour' });
    const smscId = `kept-${randomUUID().slice(0, 8)}`;
    await store.markSubmitted(claim.sms.id, [smscId]);
    const receipt = (stat: string): GatewayReceipt => ({
      ...parseDeliveryReceipt({ text: `id:${smscId} sub:001 dlvrd:001 submit date:2611281200 done date:2611281201 stat:${stat} err:000 text:Bonjour` }),
      from: '33612345678',
      to: 'VILLEDEMO',
    });

    await store.recordReceipt(receipt('ENROUTE'));
    const [decided] = await store.recordReceipt(receipt('DELIVRD'));
    await store.recordReceipt(receipt('DELIVRD'));

    expect(decided).toMatchObject({ id: claim.sms.id, status: 'delivered' });
    const [segment] = await query<{ status: string; receipt: { stat: string } }>(orm.em.fork(), 'select status, receipt from sms_segment where smsc_message_id = ?', [smscId]);
    expect(segment).toMatchObject({ status: 'delivered', receipt: { stat: 'DELIVRD' } });
    const others = await query<{ status: string; final: boolean }>(orm.em.fork(), 'select status, final from sms_receipt where smsc_message_id = ? order by id', [smscId]);
    expect(others).toEqual([
      { status: 'unknown', final: false },
      { status: 'delivered', final: true },
    ]);
  });

  it('refuses a second concurrent attempt while the first holds the lease, and gives up on a refused message', async () => {
    const { orm, store, channel } = await storeWithGateway({ responseDelayMs: 300 });
    const draft = { tenantId, idempotencyKey: `test:${randomUUID()}`, to: '+33611111111', from: 'VILLEDEMO', text: 'Une seule fois' };
    const first = channel.send(draft);
    await waitFor(() => smsc!.submitted.length === 1, 'first submit');
    await expect(channel.send(draft)).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/another attempt/) });
    await expect(first).resolves.toMatchObject({ status: 'submitted', alreadySubmitted: false });
    expect(smsc!.submitted).toHaveLength(1);

    const refused = await store.claim({ ...draft, idempotencyKey: `test:${randomUUID()}`, text: 'x' });
    await store.markFailed(refused.sms.id, new Error('ESME_RINVDSTADR'), true);
    const [row] = await query<{ status: string }>(orm.em.fork(), 'select status from sms_message where id = ?', [refused.sms.id]);
    expect(row.status).toBe('failed');
  });

  it('takes over a message the SMSC accepted just before its attempt died: found by its receipt, not sent again', async () => {
    const { orm, store, channel } = await storeWithGateway();
    const to = `+3376${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const draft = { tenantId, idempotencyKey: `test:${randomUUID()}`, to, from: 'VILLEDEMO', text: 'Alerte : tempête cette nuit, restez chez vous.' };
    const toHandset = () => smsc!.submitted.filter((message) => message.to === to).length;
    const orphanReceipts = async () => Number((await query<{ n: string }>(orm.em.fork(), "select count(*) as n from sms_receipt where raw->>'from' = ?", [to.slice(1)]))[0].n);
    // The attempt claimed the message and submitted it; the worker died before the SMSC's answer was written.
    expect((await store.claim(draft)).kind).toBe('send');
    await gateway!.submit({ from: draft.from, to, text: draft.text, registeredDelivery: true });
    await expect.poll(orphanReceipts).toBe(1);
    const expireLease = (key: string) => query(orm.em.fork(), "update sms_message set lease_until = now() - interval '1 second' where idempotency_key = ?", [key]);
    await expireLease(draft.idempotencyKey);

    const retried = await channel.send(draft);

    expect(retried).toMatchObject({ alreadySubmitted: true, status: 'submitted' });
    expect(toHandset()).toBe(1);
    await expect
      .poll(async () => (await query<{ status: string }>(orm.em.fork(), 'select status from sms_message where idempotency_key = ?', [draft.idempotencyKey]))[0].status)
      .toBe('delivered');

    // Another message to the same handset whose receipt quotes another text: it is sent again.
    const other = { ...draft, idempotencyKey: `test:${randomUUID()}`, text: 'Collecte des encombrants lundi.' };
    expect((await store.claim(other)).kind).toBe('send');
    await gateway!.submit({ from: draft.from, to, text: 'Réunion publique jeudi soir.', registeredDelivery: true });
    await expect.poll(orphanReceipts).toBe(2);
    await expireLease(other.idempotencyKey);
    expect(await channel.send(other)).toMatchObject({ alreadySubmitted: false });
    expect(toHandset()).toBe(3);
  });

  it('takes over a long message whose first segment reached the SMSC: only the second is sent again', async () => {
    const { orm, store, channel } = await storeWithGateway();
    const to = `+3376${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const text = 'Alerte : tempête cette nuit, restez chez vous. Pour ne plus recevoir ces messages, répondez STOP ALERTES au 36180.';
    const draft = { tenantId, idempotencyKey: `test:${randomUUID()}`, to, from: 'VILLEDEMO', text };
    const claim = await store.claim(draft);
    expect(claim).toMatchObject({ kind: 'send', sms: { segmentCount: 2 } });
    // The attempt died after its first segment: the second was never written to the socket.
    await gateway!.submit({ from: draft.from, to, text, registeredDelivery: true, encoded: claim.sms.encoded, reference: claim.sms.udhReference, acceptedSegments: [undefined, 'never-sent'] });
    await expect
      .poll(async () => Number((await query<{ n: string }>(orm.em.fork(), "select count(*) as n from sms_receipt where raw->>'from' = ?", [to.slice(1)]))[0].n))
      .toBe(1);
    await query(orm.em.fork(), "update sms_message set lease_until = now() - interval '1 second' where idempotency_key = ?", [draft.idempotencyKey]);

    expect(await channel.send(draft)).toMatchObject({ alreadySubmitted: false, status: 'submitted' });

    const sequences = smsc!.submitted.filter((message) => message.to === to).map((message) => message.concat?.sequence);
    expect(sequences).toEqual([1, 2]);
    await expect
      .poll(async () => (await query<{ status: string }>(orm.em.fork(), 'select status from sms_message where idempotency_key = ?', [draft.idempotencyKey]))[0].status)
      .toBe('delivered');
  });
});

describe('receiptQuotes', () => {
  it('compares the letters and digits of the receipt’s text with the beginning of the message', () => {
    const message = 'Alerte : tempête cette nuit, restez chez vous.';
    expect(receiptQuotes('id:1 sub:001 dlvrd:001 submit date:2612041200 done date:2612041200 stat:DELIVRD err:000 text:Alerte : temp?te cet', message)).toBe(true);
    expect(receiptQuotes('id:1 stat:DELIVRD text:Collecte des encomb', message)).toBe(false);
    // A receipt that quotes nothing cannot tell.
    expect(receiptQuotes('id:1 sub:001 dlvrd:001 stat:DELIVRD err:000', message)).toBe(true);
  });
});
