import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { startSmscSimulator, type SmscSimulator, type SmscSimulatorOptions } from '@/dev/smsc-simulator/simulator.js';
import { SmppGateway, type SmppGatewayOptions } from './gateway.js';

/** Test account of the simulator. */
export const TEST_ACCOUNT = { systemId: 'relais', password: 'secret' };

/** A logger that keeps test output readable. */
export const quietLogger = pino({ level: 'silent' });

/** Starts a simulator on a free port with the test account. */
export function startTestSmsc(options: Partial<SmscSimulatorOptions> = {}): Promise<SmscSimulator> {
  return startSmscSimulator({ accounts: [TEST_ACCOUNT], logger: quietLogger, ...options });
}

/** A gateway bound to the given simulator with test-friendly timings. */
export function testGateway(smsc: SmscSimulator, options: Partial<SmppGatewayOptions> = {}): SmppGateway {
  return new SmppGateway({
    url: `smpp://${TEST_ACCOUNT.systemId}:${TEST_ACCOUNT.password}@127.0.0.1:${smsc.port}`,
    logger: quietLogger,
    reconnectInitialDelayMs: 50,
    reconnectMaxDelayMs: 500,
    responseTimeoutMs: 5_000,
    startTimeoutMs: 5_000,
    ...options,
  });
}

/** Polls until the condition holds, failing with the description after timeoutMs. */
export async function waitFor(condition: () => boolean, description: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${description}`);
    await sleep(10);
  }
}
