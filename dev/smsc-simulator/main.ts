import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { z } from 'zod';
import { assertPortFree } from '@/dev/ports.js';
import { startSmscControl } from './control.js';
import { startSmscSimulator, type SmscSimulator } from './simulator.js';

const Env = z.object({
  SMSC_PORT: z.coerce.number().int().min(1).max(65_535).default(2775),
  SMSC_HOST: z.string().min(1).default('127.0.0.1'),
  SMSC_SYSTEM_ID: z.string().min(1).max(15).default('relais'),
  SMSC_PASSWORD: z.string().min(1).max(8).default('relais'),
  SMSC_RECEIPT_DELAY_MS: z.coerce.number().int().min(0).default(1_000),
  SMSC_FAILURE_RATIO: z.coerce.number().min(0).max(1).default(0),
  SMSC_THROTTLE_PER_SECOND: z.coerce.number().int().positive().optional(),
  SMSC_CONTROL_PORT: z.coerce.number().int().min(1).max(65_535).default(2776),
});

/** Development SMSC configuration, read from SMSC_* variables. */
export type SimulatorEnv = z.infer<typeof Env>;

/** Parses the SMSC_* variables, naming the variable at fault. */
export function readSimulatorEnv(env: NodeJS.ProcessEnv = process.env): SimulatorEnv {
  const parsed = Env.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`Invalid SMSC simulator configuration: ${problems.join('; ')}`);
}

/** Runs the development SMSC until SIGINT or SIGTERM. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<SmscSimulator> {
  const config = readSimulatorEnv(env);
  const logger = pino({ name: 'smsc-simulator' });
  await assertPortFree(config.SMSC_PORT, 'the SMSC simulator', 'SMSC_PORT');
  await assertPortFree(config.SMSC_CONTROL_PORT, 'the SMSC simulator control API', 'SMSC_CONTROL_PORT');
  const simulator = await startSmscSimulator({
    port: config.SMSC_PORT,
    host: config.SMSC_HOST,
    accounts: [{ systemId: config.SMSC_SYSTEM_ID, password: config.SMSC_PASSWORD }],
    receiptDelayMs: config.SMSC_RECEIPT_DELAY_MS,
    failureRatio: config.SMSC_FAILURE_RATIO,
    throttle: config.SMSC_THROTTLE_PER_SECOND ? { maxPerSecond: config.SMSC_THROTTLE_PER_SECOND } : false,
    logger,
  });
  const control = await startSmscControl(simulator, { port: config.SMSC_CONTROL_PORT, host: config.SMSC_HOST });
  logger.info(
    { url: `smpp://${config.SMSC_SYSTEM_ID}@${simulator.host}:${simulator.port}`, control: control.url },
    'SMSC simulator ready (password from SMSC_PASSWORD)',
  );
  const shutdown = async (signal: string) => {
    logger.info({ signal, stats: simulator.stats() }, 'SMSC simulator stopping');
    await control.stop();
    await simulator.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return simulator;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
