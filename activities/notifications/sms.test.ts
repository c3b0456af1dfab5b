import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmscSimulator } from '@/dev/smsc-simulator/simulator';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createSmsChannel } from '@/integrations/smpp/channel';
import type { SmppGateway } from '@/integrations/smpp/gateway';
import { SmsStore } from '@/integrations/smpp/store';
import { startTestSmsc, testGateway } from '@/integrations/smpp/testing';
import { smsActivityChannel } from './sms';

let smsc: SmscSimulator;
let gateway: SmppGateway;
let store: SmsStore;
let tenantId: string;

beforeAll(async () => {
  const orm = await initORM(env().DATABASE_URL!);
  [{ id: tenantId }] = await query<{ id: string }>(orm.em.fork(), "select id from tenant where slug = 'demo'");
  smsc = await startTestSmsc();
  gateway = testGateway(smsc);
  await gateway.start();
  store = new SmsStore(orm);
});

afterAll(async () => {
  await gateway?.stop();
  await store?.close();
  await smsc?.stop();
});

describe('the SMS channel of activities', () => {
  it('fails the activity for good when the SMSC refuses the SMS, and never sends it again', async () => {
    const channel = smsActivityChannel(createSmsChannel({ store, gateway }));
    const draft = { tenantId, idempotencyKey: `test:${randomUUID()}`, to: 'PERSONNE', from: 'VILLEDEMO', text: 'Bonjour' };
    const refusal = await channel.send(draft).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ApplicationFailure);
    expect(refusal).toMatchObject({ type: 'SmsRejected', nonRetryable: true, message: expect.stringMatching(/ESME_RINVDSTADR/) });
    // A retry of the activity finds the SMS decided: nothing goes out.
    await expect(channel.send(draft)).resolves.toMatchObject({ status: 'failed', alreadySubmitted: true });
    expect(smsc.stats().submitted).toBe(0);
  });

  it('sends an accepted SMS once per key', async () => {
    const channel = smsActivityChannel(createSmsChannel({ store, gateway }));
    const draft = { tenantId, idempotencyKey: `test:${randomUUID()}`, to: '+33612345678', from: 'VILLEDEMO', text: 'Bonjour' };
    await expect(channel.send(draft)).resolves.toMatchObject({ status: 'submitted', alreadySubmitted: false, segmentCount: 1 });
    await expect(channel.send(draft)).resolves.toMatchObject({ alreadySubmitted: true });
    expect(smsc.submitted.filter((message) => message.to === '+33612345678')).toHaveLength(1);
  });
});
