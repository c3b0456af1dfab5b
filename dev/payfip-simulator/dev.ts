import { startPayfipSimulator } from './simulator';

/** Starts the PayFiP simulator (a free port by default); `env` points the connector at it and enables its control API. */
export async function startDevPayfip(options: { port?: number; lateDelayMs?: number } = {}) {
  const simulator = await startPayfipSimulator({ port: options.port ?? 0, lateDelayMs: options.lateDelayMs });
  return {
    simulator,
    env: { PAYFIP_SERVICE_URL: simulator.serviceUrl, PAYFIP_PAYMENT_URL: simulator.paymentUrl, PAYFIP_SIMULATOR_URL: simulator.url },
    stop: () => simulator.stop(),
  };
}
