import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { SmscSimulator } from '@/dev/smsc-simulator/simulator.js';
import { SmppConnectionError, SmppSubmitError } from './errors.js';
import type { SmppGateway, SmsSubmitRequest } from './gateway.js';
import { startTestSmsc, testGateway, waitFor } from './testing.js';

let smsc: SmscSimulator | undefined;
let gateway: SmppGateway | undefined;
let junkServer: net.Server | undefined;

afterEach(async () => {
  await gateway?.stop();
  await smsc?.stop();
  await new Promise((resolve) => (junkServer ? junkServer.close(resolve) : resolve(undefined)));
  gateway = smsc = junkServer = undefined;
});

/**
 * The gateway's resume contract: a caller resubmits a retryable failure with the segment ids accepted so far, and no
 * accepted segment goes twice. No pause between tries: the gateway waits for its rebind. (Temporal's retries of the
 * SMS channel, with the store keeping the accepted ids, are tested in store.test.ts under the real profile.)
 */
async function submitUntilAccepted(gw: SmppGateway, request: SmsSubmitRequest, retries: { count: number; partial: number }) {
  const recorded: Array<string | undefined> = [];
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await gw.submit({
        ...request,
        acceptedSegments: recorded,
        onSegmentAccepted: (index, messageId) => (recorded[index] = messageId),
      });
      return result.messageIds;
    } catch (error) {
      if (!(error instanceof SmppSubmitError) || !error.retryable || attempt >= 30) throw error;
      retries.count++;
      if (error.acceptedSegments.some(Boolean)) retries.partial++;
    }
  }
}

function requestFor(index: number): SmsSubmitRequest {
  const long = index % 5 === 0;
  return {
    from: 'MAIRIE',
    to: `+336${String(index).padStart(8, '0')}`,
    text: long ? `Message ${index} `.repeat(20) : `Message ${index}`,
    reference: index % 256,
    registeredDelivery: true,
  };
}

describe('SmppGateway resilience', () => {
  it('reconnects after the SMSC drops the connection twice and submits every segment exactly once', async () => {
    smsc = await startTestSmsc({ responseDelayMs: 5 });
    // Fast enough that each drop finds submits in flight, so retries do happen.
    gateway = testGateway(smsc, { ratePerSecond: 2_000, windowSize: 20 });
    await gateway.start();
    const requests = Array.from({ length: 200 }, (_, index) => requestFor(index));
    const retries = { count: 0, partial: 0 };

    const sending = Promise.all(requests.map((request) => submitUntilAccepted(gateway!, request, retries)));
    await waitFor(() => smsc!.submitted.length >= 80, '80 submissions');
    smsc.dropConnections();
    await waitFor(() => smsc!.submitted.length >= 160 && gateway!.stats().binds === 2, 'a rebind and 160 submissions');
    smsc.dropConnections();
    const results = await sending;

    const keys = smsc.submitted.map((message) => `${message.to}#${message.concat?.sequence ?? 1}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(200 + 40);
    results.forEach((messageIds, index) => {
      const stored = smsc!.submitted.filter((message) => message.to === requests[index].to);
      expect(messageIds.sort()).toEqual(stored.map((message) => message.messageId).sort());
    });
    expect(gateway.stats()).toMatchObject({ binds: 3, disconnects: 2, state: 'bound' });
    expect(retries.count).toBeGreaterThan(0);
  });

  it('fails pending submits with a retryable error when the link is cut abruptly, then works again', async () => {
    smsc = await startTestSmsc({ responseDelayMs: 300 });
    gateway = testGateway(smsc, { ratePerSecond: 200 });
    await gateway.start();

    const inFlight = Array.from({ length: 20 }, (_, index) => gateway!.submit(requestFor(index * 5 + 1)));
    await waitFor(() => smsc!.submitted.length >= 10, 'first submissions');
    smsc.dropConnections({ abrupt: true });
    const outcomes = await Promise.allSettled(inFlight);

    const failures = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => outcome.reason);
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) expect(failure).toMatchObject({ name: 'SmppSubmitError', retryable: true });
    await waitFor(() => gateway!.stats().state === 'bound', 'rebind');
    await expect(gateway.submit(requestFor(1_001))).resolves.toMatchObject({ segmentCount: 1 });
  });

  it('survives a peer that answers with garbage: reports the error and reconnects', async () => {
    let connections = 0;
    junkServer = net.createServer((socket) => {
      connections++;
      socket.on('error', () => undefined);
      socket.resume();
      socket.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n\x00\xff\x13garbage');
    });
    await new Promise<void>((resolve) => junkServer!.listen(0, '127.0.0.1', resolve));
    const { port } = junkServer.address() as net.AddressInfo;
    const errors: Error[] = [];
    gateway = testGateway(smsc ?? ({ port } as SmscSimulator), {
      startTimeoutMs: 1_500,
      onError: (error) => errors.push(error),
    });

    const start = gateway.start();

    await expect(start).rejects.toBeInstanceOf(SmppConnectionError);
    await expect(start).rejects.toThrow(/Not bound to the SMSC within 1500 ms/);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].message).toMatch(/PDU length was too large/);
    expect(connections).toBeGreaterThanOrEqual(2);
  });
});
