import { afterEach, describe, expect, it } from 'vitest';
import type { SmscSimulator } from '@/dev/smsc-simulator/simulator.js';
import { DATA_CODING_GSM, DATA_CODING_UCS2 } from '@/domain/sms/encoding';
import { CommandStatus, SmppBindError, SmppSubmitError } from './errors.js';
import type { SmppGateway } from './gateway.js';
import type { GatewayReceipt, InboundSms } from './deliver-sm.js';
import { startTestSmsc, testGateway, waitFor } from './testing.js';

let smsc: SmscSimulator | undefined;
let gateway: SmppGateway | undefined;

afterEach(async () => {
  await gateway?.stop();
  await smsc?.stop();
  gateway = smsc = undefined;
});

describe('SmppGateway with the SMSC simulator', () => {
  it('submits short and long texts and matches every receipt to its message id', async () => {
    smsc = await startTestSmsc({ receiptDelayMs: 20 });
    const receipts: GatewayReceipt[] = [];
    gateway = testGateway(smsc, { onDeliveryReceipt: (receipt) => void receipts.push(receipt) });
    await gateway.start();

    const short = await gateway.submit({ from: 'MAIRIE', to: '+33612345678', text: 'Bonjour é è €', registeredDelivery: true });
    const long = await gateway.submit({ from: 'MAIRIE', to: '+33612345678', text: 'Reçu. '.repeat(20), registeredDelivery: true });

    expect(short).toMatchObject({ segmentCount: 1, dataCoding: DATA_CODING_GSM });
    expect(long).toMatchObject({ segmentCount: 2, dataCoding: DATA_CODING_UCS2 });
    const ids = [...short.messageIds, ...long.messageIds];
    expect(new Set(ids).size).toBe(3);
    expect(smsc.submitted.map((message) => message.messageId)).toEqual(ids);
    expect(smsc.submitted[0]).toMatchObject({ text: 'Bonjour é è €', to: '+33612345678', from: 'MAIRIE' });
    expect(smsc.submitted.slice(1).map((message) => message.text).join('')).toBe('Reçu. '.repeat(20));

    await waitFor(() => receipts.length === 3, 'three receipts');
    expect(receipts.map((receipt) => receipt.messageId).sort()).toEqual([...ids].sort());
    expect(receipts.every((receipt) => receipt.status === 'delivered' && receipt.final)).toBe(true);
    await waitFor(() => smsc!.stats().deliverAcks === 3, 'three deliver_sm_resp');
  });

  it('holds a receipt that comes right behind its submit_sm_resp until the submit is recorded', async () => {
    smsc = await startTestSmsc({ receiptDelayMs: 0 });
    const events: string[] = [];
    gateway = testGateway(smsc, { onDeliveryReceipt: (receipt) => void events.push(`receipt ${receipt.messageId}`) });
    await gateway.start();

    const result = await gateway.submit({
      from: 'MAIRIE',
      to: '+33612345678',
      text: 'Bonjour',
      registeredDelivery: true,
      // Recording finishes only once the receipt, which the simulator sends at once, is waiting for it.
      record: async ({ messageIds }) => {
        await waitFor(() => gateway!.stats().receiptsHeld === 1, 'the receipt held at its gate');
        events.push(`recorded ${messageIds[0]}`);
      },
    });

    await waitFor(() => events.length === 2, 'the receipt handed over');
    expect(events).toEqual([`recorded ${result.messageIds[0]}`, `receipt ${result.messageIds[0]}`]);
  });

  it('lets a held receipt through after a response timeout when recording the submit hangs', async () => {
    smsc = await startTestSmsc({ receiptDelayMs: 0 });
    const events: string[] = [];
    gateway = testGateway(smsc, { responseTimeoutMs: 300, onDeliveryReceipt: () => void events.push('receipt') });
    await gateway.start();

    await gateway.submit({
      from: 'MAIRIE',
      to: '+33612345678',
      text: 'Bonjour',
      registeredDelivery: true,
      record: async () => {
        await waitFor(() => events.length === 1, 'the receipt let through', 3_000);
        events.push('recorded');
      },
    });

    expect(events).toEqual(['receipt', 'recorded']);
  });

  it('fails a submit the SMSC does not answer in time with a retryable timeout, and keeps the link', async () => {
    smsc = await startTestSmsc({ responseDelayMs: 1_500 });
    gateway = testGateway(smsc, { responseTimeoutMs: 300 });
    await gateway.start();

    const failure = gateway.submit({ from: 'MAIRIE', to: '+33612345678', text: 'Bonjour' });

    await expect(failure).rejects.toBeInstanceOf(SmppSubmitError);
    await expect(failure).rejects.toMatchObject({ retryable: true, acceptedSegments: [undefined], message: expect.stringMatching(/No submit_sm_resp within 300 ms/) });
    expect(gateway.stats().state).toBe('bound');
  });

  it('refuses a sender SMPP cannot carry without sending anything, and the next submit goes through', async () => {
    smsc = await startTestSmsc();
    gateway = testGateway(smsc, { windowSize: 1 });
    await gateway.start();

    const refused = gateway.submit({ from: 'Mairie de Saint-Étienne', to: '+33612345678', text: 'Bonjour' });

    await expect(refused).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/Invalid SMPP source address "Mairie de Saint-Étienne"/) });
    // The one window slot was given back.
    await expect(gateway.submit({ from: 'MAIRIE', to: '+33612345678', text: 'Bonjour' })).resolves.toMatchObject({ segmentCount: 1 });
    expect(smsc.submitted.map((message) => message.from)).toEqual(['MAIRIE']);
  });

  it('reports failed receipts when the SMSC says UNDELIV', async () => {
    smsc = await startTestSmsc({ failureRatio: 1 });
    const receipts: GatewayReceipt[] = [];
    gateway = testGateway(smsc, { onDeliveryReceipt: (receipt) => void receipts.push(receipt) });
    await gateway.start();

    const { messageIds } = await gateway.submit({ from: '+33100000000', to: '+33612345678', text: 'Test', registeredDelivery: true });

    await waitFor(() => receipts.length === 1, 'one receipt');
    expect(receipts[0]).toMatchObject({ messageId: messageIds[0], status: 'failed', stat: 'UNDELIV', errorCode: '001' });
  });

  it('hands an MO with é and € to onInboundMessage, and reassembles a long one', async () => {
    smsc = await startTestSmsc();
    const inbound: InboundSms[] = [];
    gateway = testGateway(smsc, { onInboundMessage: (message) => void inbound.push(message) });
    await gateway.start();

    await smsc.injectMo({ from: '33612345678', to: '38200', text: 'Trottoir abîmé rue de la Paix, 5 € de réparation ?' });
    const long = 'Bonjour, le lampadaire devant chez moi est éteint depuis une semaine 😀. '.repeat(3);
    await smsc.injectMo({ from: '33612345678', to: '38200', text: long });

    expect(inbound).toEqual([
      expect.objectContaining({ from: '+33612345678', to: '38200', text: 'Trottoir abîmé rue de la Paix, 5 € de réparation ?' }),
      expect.objectContaining({ text: long, segmentCount: 4, complete: true }),
    ]);
  });

  it('answers deliver_sm with a temporary error when the handler fails, so the SMSC keeps the message', async () => {
    smsc = await startTestSmsc();
    gateway = testGateway(smsc, {
      onInboundMessage: () => Promise.reject(new Error('database down')),
    });
    await gateway.start();

    await expect(smsc.injectMo({ from: '336', to: '382', text: 'STOP' })).rejects.toThrow(/status 100/);
    expect(smsc.stats().deliverRefusals).toBe(1);
  });

  it('refuses to start with a wrong password, naming ESME_RINVPASWD', async () => {
    smsc = await startTestSmsc();
    gateway = testGateway(smsc, { url: `smpp://relais:wrong@127.0.0.1:${smsc.port}` });

    const failure = gateway.start();

    await expect(failure).rejects.toBeInstanceOf(SmppBindError);
    await expect(failure).rejects.toThrow('SMSC refused bind_transceiver for system_id "relais": ESME_RINVPASWD (0x0E)');
    expect(smsc.stats()).toMatchObject({ binds: 0, bindFailures: 1 });
    expect(gateway.stats().state).toBe('stopped');
  });

  it('backs off on ESME_RTHROTTLED and resubmits until every message is accepted once', async () => {
    smsc = await startTestSmsc({ throttle: { maxPerSecond: 20 } });
    gateway = testGateway(smsc, { ratePerSecond: 500, throttleBackoffMs: 100, maxThrottleRetries: 10 });
    await gateway.start();

    const texts = Array.from({ length: 50 }, (_, index) => `Message ${index}`);
    await Promise.all(texts.map((text) => gateway!.submit({ from: 'MAIRIE', to: '+33612345678', text })));

    expect(smsc.stats().throttled).toBeGreaterThan(0);
    expect(gateway.stats().throttled).toBe(smsc.stats().throttled);
    expect(smsc.submitted.map((message) => message.text).sort()).toEqual([...texts].sort());
  });

  it('gives up with a retryable error once the throttle retries are spent', async () => {
    smsc = await startTestSmsc({ throttle: true });
    gateway = testGateway(smsc, { throttleBackoffMs: 10, maxThrottleRetries: 2 });
    await gateway.start();

    const failure = gateway.submit({ from: 'MAIRIE', to: '+33612345678', text: 'Bonjour' });

    await expect(failure).rejects.toBeInstanceOf(SmppSubmitError);
    await expect(failure).rejects.toMatchObject({ retryable: true, commandStatus: CommandStatus.THROTTLED, acceptedSegments: [undefined] });
    expect(smsc.stats().throttled).toBe(3);
  });
});
