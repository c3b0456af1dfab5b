import smpp, { type PDU, type PduFields, type Session } from 'smpp';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDeliveryReceipt } from '@/integrations/smpp/receipt.js';
import { quietLogger, waitFor } from '@/integrations/smpp/testing.js';
import { startSmscSimulator, type SmscSimulator, type SmscSimulatorOptions } from './simulator.js';

const ACCOUNT = { systemId: 'relais', password: 'pw' };
let smsc: SmscSimulator | undefined;
const sessions: Session[] = [];

afterEach(async () => {
  for (const session of sessions.splice(0)) session.destroy();
  await smsc?.stop();
  smsc = undefined;
});

async function start(options: Partial<SmscSimulatorOptions> = {}): Promise<SmscSimulator> {
  smsc = await startSmscSimulator({ accounts: [ACCOUNT], logger: quietLogger, ...options });
  return smsc;
}

// The raw library as client, so the simulator is checked independently of SmppGateway.
async function rawClient(server: SmscSimulator): Promise<Session> {
  const session = smpp.connect({ host: '127.0.0.1', port: server.port });
  session.on('error', () => undefined);
  sessions.push(session);
  await new Promise((resolve) => session.once('connect', resolve));
  return session;
}

function call(session: Session, command: 'bind_transceiver' | 'submit_sm' | 'enquire_link' | 'unbind', fields: PduFields = {}): Promise<PDU> {
  return new Promise((resolve) => session[command](fields, resolve));
}

async function boundClient(server: SmscSimulator, onDeliver?: (pdu: PDU) => void): Promise<Session> {
  const session = await rawClient(server);
  session.on('deliver_sm', (pdu: PDU) => {
    onDeliver?.(pdu);
    session.send(pdu.response());
  });
  const response = await call(session, 'bind_transceiver', { system_id: ACCOUNT.systemId, password: ACCOUNT.password });
  expect(response.command_status).toBe(0);
  return session;
}

const SUBMIT = { source_addr: 'MAIRIE', destination_addr: '33612345678', short_message: Buffer.from('Hello'), data_coding: 0 };

describe('SMSC simulator', () => {
  it('refuses a wrong password with ESME_RINVPASWD and an unknown account with ESME_RBINDFAIL', async () => {
    const server = await start();
    const session = await rawClient(server);

    expect((await call(session, 'bind_transceiver', { system_id: 'relais', password: 'nope' })).command_status).toBe(smpp.errors.ESME_RINVPASWD);
    expect((await call(session, 'bind_transceiver', { system_id: 'other', password: 'pw' })).command_status).toBe(smpp.errors.ESME_RBINDFAIL);
    expect((await call(session, 'submit_sm', SUBMIT)).command_status).toBe(smpp.errors.ESME_RINVBNDSTS);
    expect(server.stats()).toMatchObject({ binds: 0, bindFailures: 2, submitted: 0 });
  });

  it('answers submit_sm with unique ids and sends a receipt with both the text and the TLVs', async () => {
    const server = await start({ receiptDelayMs: 30 });
    const receipts: PDU[] = [];
    const session = await boundClient(server, (pdu) => receipts.push(pdu));

    const responses = await Promise.all([1, 2, 3].map(() => call(session, 'submit_sm', { ...SUBMIT, registered_delivery: 1 })));
    const ids = responses.map((response) => response.message_id);
    expect(new Set(ids).size).toBe(3);
    expect(server.submitted.map((message) => message.text)).toEqual(['Hello', 'Hello', 'Hello']);

    await waitFor(() => receipts.length === 3, 'three receipts');
    const [first] = receipts;
    expect(first).toMatchObject({ esm_class: 0x04, receipted_message_id: ids[0], message_state: 2, source_addr: '33612345678' });
    const text = (first.short_message as { message: string }).message;
    expect(parseDeliveryReceipt({ text })).toMatchObject({ messageId: ids[0], status: 'delivered', source: 'text' });
    expect(text).toMatch(/^id:\S+ sub:001 dlvrd:001 submit date:\d{10} done date:\d{10} stat:DELIVRD err:000 text:Hello$/);
  });

  it('sends UNDELIV receipts with the failure ratio, and only failures for registered_delivery 2', async () => {
    const server = await start({ failureRatio: 1 });
    const receipts: PDU[] = [];
    const session = await boundClient(server, (pdu) => receipts.push(pdu));

    await call(session, 'submit_sm', { ...SUBMIT, registered_delivery: 2 });

    await waitFor(() => receipts.length === 1, 'one receipt');
    expect(receipts[0]).toMatchObject({ message_state: 5 });
    expect((receipts[0].short_message as { message: string }).message).toContain('stat:UNDELIV err:001');
  });

  it('keeps receipts for an account that is not bound and sends them on its next bind', async () => {
    const server = await start({ receiptDelayMs: 50 });
    const first = await boundClient(server);
    await call(first, 'submit_sm', { ...SUBMIT, registered_delivery: 1 });
    server.dropConnections({ abrupt: true });
    await waitFor(() => server.stats().receiptsQueued === 1, 'a queued receipt');

    const receipts: PDU[] = [];
    await boundClient(server, (pdu) => receipts.push(pdu));

    await waitFor(() => receipts.length === 1, 'the queued receipt');
    expect(server.stats().receiptsQueued).toBe(0);
  });

  it('throttles on demand, at a ratio or at a rate per second', async () => {
    const server = await start({ throttle: true });
    const session = await boundClient(server);

    expect((await call(session, 'submit_sm', SUBMIT)).command_status).toBe(smpp.errors.ESME_RTHROTTLED);
    server.setThrottle(false);
    expect((await call(session, 'submit_sm', SUBMIT)).command_status).toBe(0);
    server.setThrottle({ maxPerSecond: 1 });
    const statuses = (await Promise.all(Array.from({ length: 8 }, () => call(session, 'submit_sm', SUBMIT)))).map((pdu) => pdu.command_status);
    // At most one second boundary can fall inside the burst, so at most two pass.
    expect(statuses.filter((status) => status === smpp.errors.ESME_RTHROTTLED).length).toBeGreaterThanOrEqual(6);
    expect(server.stats().throttled).toBe(1 + statuses.filter((status) => status !== 0).length);
  });

  it('answers enquire_link, injects an MO split in two, and closes on unbind', async () => {
    const server = await start();
    const delivered: PDU[] = [];
    const session = await boundClient(server, (pdu) => delivered.push(pdu));

    expect((await call(session, 'enquire_link')).command).toBe('enquire_link_resp');
    await server.injectMo({ from: '33612345678', to: '38200', text: 'é'.repeat(170) });
    expect(delivered.map((pdu) => [pdu.esm_class, pdu.data_coding])).toEqual([[0x40, 0], [0x40, 0]]);
    const closed = new Promise((resolve) => session.once('close', resolve));
    expect((await call(session, 'unbind')).command).toBe('unbind_resp');
    await closed;
    await expect(server.injectMo({ from: '336', to: '382', text: 'x' })).rejects.toThrow(/No bound receiver/);
  });

  it('survives garbage bytes from a client', async () => {
    const server = await start();
    const session = await rawClient(server);
    const closed = new Promise((resolve) => session.once('close', resolve));

    session.socket.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));

    await closed;
    const healthy = await boundClient(server);
    expect((await call(healthy, 'enquire_link')).command_status).toBe(0);
  });
});
