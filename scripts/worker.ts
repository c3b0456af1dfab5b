import path from 'node:path';
import pino from 'pino';
import { createPdfRenderer } from '../activities/documents/renderer';
import { createSmtpSender } from '../activities/notifications/email';
import { env } from '../domain/env';
import { initORM } from '../domain/orm';
import { createRelaisWorker, startSmsService } from '../temporal/worker';

const log = pino({ name: 'worker', level: env().LOG_LEVEL });

/** The Relais worker process: request workflows and their activities. */
async function main(): Promise<void> {
  const config = env();
  const missing = (['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL'] as const).filter((k) => !config[k]);
  if (missing.length) throw new Error(`The worker needs ${missing.join(', ')} (npm start sets them for you).`);
  const orm = await initORM(config.DATABASE_URL!);
  const email = createSmtpSender(config.SMTP_URL!, config.SMTP_FROM);
  // Without SMPP_URL the worker runs without SMS: citizens who chose SMS are answered by e-mail when they gave one.
  const sms = config.SMPP_URL
    ? await startSmsService({
        smppUrl: config.SMPP_URL,
        orm,
        temporal: { address: config.TEMPORAL_ADDRESS!, namespace: config.TEMPORAL_NAMESPACE },
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        publicUrl: config.PUBLIC_URL,
        logger: log,
      })
    : undefined;
  const { worker, close } = await createRelaisWorker({
    temporalAddress: config.TEMPORAL_ADDRESS!,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    orm,
    email,
    publicUrl: config.PUBLIC_URL,
    sms: sms?.channel,
    renderer: createPdfRenderer({ chromiumPath: config.CHROMIUM_PATH }),
    exports: {
      exportDir: config.EXPORT_DIR ?? path.join(config.RELAIS_DATA_DIR, 'exports'),
      exportDatabaseUrl: config.EXPORT_DATABASE_URL,
      webhookSecrets: config.EXPORT_WEBHOOK_SECRET ? { default: config.EXPORT_WEBHOOK_SECRET } : {},
    },
  });
  // The Temporal runtime shuts the worker down on SIGINT / SIGTERM; run() then returns and resources close below.
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, sms: Boolean(sms) }, 'worker running');
  await worker.run();
  await close();
  await sms?.stop();
  email.close();
  await orm.close();
}

main().catch((error) => {
  log.error(error, 'worker stopped on an error');
  process.exit(1);
});
