import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { assertPortFree } from '@/dev/ports.js';
import { startPayfipSimulator } from './simulator.js';

const Env = z.object({
  PAYFIP_SIMULATOR_PORT: z.coerce.number().int().min(1).max(65_535).default(2780),
  PAYFIP_SIMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  PAYFIP_SIMULATOR_LATE_MS: z.coerce.number().int().min(0).default(5_000),
});

/** Runs the PayFiP simulator alone until SIGINT or SIGTERM (`npm start` runs it itself). */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const parsed = Env.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid PayFiP simulator configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const config = parsed.data;
  await assertPortFree(config.PAYFIP_SIMULATOR_PORT, 'the PayFiP simulator', 'PAYFIP_SIMULATOR_PORT');
  const simulator = await startPayfipSimulator({ port: config.PAYFIP_SIMULATOR_PORT, host: config.PAYFIP_SIMULATOR_HOST, lateDelayMs: config.PAYFIP_SIMULATOR_LATE_MS, log: (line) => console.log(`[payfip] ${line}`) });
  console.log(`[payfip] PAYFIP_SERVICE_URL=${simulator.serviceUrl} PAYFIP_PAYMENT_URL=${simulator.paymentUrl}`);
  const shutdown = async () => {
    await simulator.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
