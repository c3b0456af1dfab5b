import pino from 'pino';
import { createSmtpSender } from '../activities/notifications/email';
import { env } from '../domain/env';
import { initORM } from '../domain/orm';
import { createRelaisWorker } from '../temporal/worker';

const log = pino({ name: 'worker', level: env().LOG_LEVEL });

/** The Relais worker process: request workflows and their activities. */
async function main(): Promise<void> {
  const config = env();
  const missing = (['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL'] as const).filter((k) => !config[k]);
  if (missing.length) throw new Error(`The worker needs ${missing.join(', ')} (npm start sets them for you).`);
  const orm = await initORM(config.DATABASE_URL!);
  const email = createSmtpSender(config.SMTP_URL!, config.SMTP_FROM);
  const worker = await createRelaisWorker({
    temporalAddress: config.TEMPORAL_ADDRESS!,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    orm,
    email,
    publicUrl: config.PUBLIC_URL,
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  await worker.run();
  email.close();
  await orm.close();
}

main().catch((error) => {
  log.error(error, 'worker stopped on an error');
  process.exit(1);
});
