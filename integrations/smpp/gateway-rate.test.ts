import { afterEach, expect, it } from 'vitest';
import type { SmscSimulator } from '@/dev/smsc-simulator/simulator.js';
import type { SmppGateway } from './gateway.js';
import { startTestSmsc, testGateway, waitFor } from './testing.js';

const RATE = 50;
const WINDOW_MS = 10_000;

let smsc: SmscSimulator | undefined;
let gateway: SmppGateway | undefined;

afterEach(async () => {
  await gateway?.stop();
  await smsc?.stop();
  gateway = smsc = undefined;
});

// A correctness check of the limiter (counts, not speed): more work is queued than the limit allows.
it(`holds the account to ${RATE} submit_sm/s over a ${WINDOW_MS / 1000} s window (±2 %)`, async () => {
  smsc = await startTestSmsc();
  gateway = testGateway(smsc, { ratePerSecond: RATE, windowSize: 50, responseTimeoutMs: 15_000 });
  await gateway.start();

  const backlog = Array.from({ length: RATE * 12 }, (_, index) =>
    gateway!.submit({ from: 'MAIRIE', to: '+33612345678', text: `Message ${index}` }).catch(() => undefined),
  );
  await waitFor(() => smsc!.submitted.length > 0, 'the first submission');
  const start = smsc.submitted[0].acceptedAt;
  await waitFor(() => Date.now() > start + WINDOW_MS + 200, 'the end of the window', WINDOW_MS + 2_000);

  const inWindow = smsc.submitted.filter((message) => message.acceptedAt < start + WINDOW_MS).length;
  const expected = RATE * (WINDOW_MS / 1000);
  expect(inWindow).toBeGreaterThanOrEqual(expected * 0.98);
  expect(inWindow).toBeLessThanOrEqual(expected * 1.02);
  await gateway.stop();
  await Promise.all(backlog);
}, 20_000);
