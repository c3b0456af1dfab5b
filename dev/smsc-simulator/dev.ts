import { startSmscControl } from './control';
import { startSmscSimulator } from './simulator';

/** The simulator account the test and development workers bind with. */
export const SMSC_DEV_ACCOUNT = { systemId: 'relais', password: 'relais' };

/** Starts the SMSC simulator and its control API (free ports by default); `env` holds SMPP_URL and SMSC_CONTROL_URL. */
export async function startDevSmsc(options: { port?: number; controlPort?: number; receiptDelayMs?: number } = {}) {
  const simulator = await startSmscSimulator({ accounts: [SMSC_DEV_ACCOUNT], port: options.port ?? 0, receiptDelayMs: options.receiptDelayMs ?? 50 });
  const control = await startSmscControl(simulator, { port: options.controlPort ?? 0 });
  const { systemId, password } = SMSC_DEV_ACCOUNT;
  return {
    simulator,
    control,
    env: { SMPP_URL: `smpp://${systemId}:${password}@127.0.0.1:${simulator.port}`, SMSC_CONTROL_URL: control.url },
    async stop() {
      await control.stop();
      await simulator.stop();
    },
  };
}

