import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createPdfRenderer } from '@/integrations/documents/renderer';
import { createSmtpSender } from '@/integrations/mail/smtp';
import { env } from '@/domain/env';
import { deploymentMailTokens } from '@/domain/mail/deployment';
import { initORM } from '@/domain/orm';
import { relaisSecret } from '@/domain/secrets/relais-secret';
import { createReceiveEmail, startMailService } from '@/temporal/mail-service';
import { startImapPollers } from '@/integrations/mail/imap-pollers';
import { closeTemporalClients, temporalClient } from '@/temporal/client';
import { ensureQualityReportSchedules } from '@/temporal/quality-report';
import { watchPendingStarts } from '@/temporal/pending-starts';
import { watchExpiredHolds } from '@/temporal/expired-holds';
import { ensureRetentionSchedules } from '@/temporal/retention';
import { createRelaisWorker, startSmsService } from '@/temporal/worker';
import { keepWorkerPresence } from '@/temporal/worker-presence';
import { installWorkerTelemetry, taskQueueBacklogProbe } from '@/temporal/telemetry';
import { workerMetrics } from '@/integrations/observability/worker-metrics';

const log = pino({ name: 'worker', level: env().LOG_LEVEL });

/** The Relais worker process: request workflows and their activities. */
async function main(): Promise<void> {
  const config = env();
  const missing = (['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL'] as const).filter((k) => !config[k]);
  if (missing.length) throw new Error(`The worker needs ${missing.join(', ')} (npm start sets them for you).`);
  // Every e-mail's bounce and reply addresses are signed with RELAIS_SECRET: stop now, naming it, not at the first e-mail.
  deploymentMailTokens();
  // Before any Temporal connection: the runtime's metrics exporter is set when it is installed.
  const metricsServer = config.RELAIS_METRICS_PORT ? await installWorkerTelemetry({ host: config.RELAIS_METRICS_HOST, port: config.RELAIS_METRICS_PORT }) : undefined;
  const metrics = workerMetrics();
  metrics.setBacklogProbe(taskQueueBacklogProbe({ address: config.TEMPORAL_ADDRESS!, namespace: config.TEMPORAL_NAMESPACE }, config.TEMPORAL_TASK_QUEUE));
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
        metrics,
      })
    : undefined;
  const mailIn = await startInboundMail(orm, config, metrics);
  const { worker, close } = await createRelaisWorker({
    temporalAddress: config.TEMPORAL_ADDRESS!,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    orm,
    email,
    publicUrl: config.PUBLIC_URL,
    sms: sms?.channel,
    smsRate: sms?.rate,
    renderer: createPdfRenderer({ chromiumPath: config.CHROMIUM_PATH }),
    exports: {
      exportDir: config.EXPORT_DIR ?? path.join(config.RELAIS_DATA_DIR, 'exports'),
      exportDatabaseUrl: config.EXPORT_DATABASE_URL,
      webhookSecrets: config.EXPORT_WEBHOOK_SECRET ? { default: config.EXPORT_WEBHOOK_SECRET } : {},
    },
    observability: { logger: log, metrics },
  });
  await ensureReportSchedules(orm, config);
  const pendingStarts = watchPendingStarts({
    orm,
    temporal: { address: config.TEMPORAL_ADDRESS!, namespace: config.TEMPORAL_NAMESPACE },
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    logger: log,
  });
  const presence = await keepWorkerPresence({ orm, taskQueue: config.TEMPORAL_TASK_QUEUE, logger: log });
  const expiredHolds = watchExpiredHolds({ orm, logger: log });
  // The Temporal runtime shuts the worker down on SIGINT / SIGTERM; run() then returns and resources close below.
  log.info(
    { taskQueue: config.TEMPORAL_TASK_QUEUE, sms: Boolean(sms), smtpIn: mailIn.smtpPort, imapMailboxes: mailIn.imapMailboxes, metricsPort: metricsServer?.port },
    'worker running',
  );
  await worker.run();
  await presence.stop();
  await pendingStarts.stop();
  await expiredHolds.stop();
  await mailIn.stop();
  await close();
  await sms?.stop();
  email.close();
  await closeTemporalClients();
  await orm.close();
  await metricsServer?.close();
}

/**
 * Inbound e-mail of this worker: Relais's SMTP listener when RELAIS_INBOUND_SMTP_PORT is set (npm start sets 2525), and
 * one IMAP poller per tenant with a mailbox in settings.mail.imap; both file through the same receive function.
 */
async function startInboundMail(orm: Awaited<ReturnType<typeof initORM>>, config: ReturnType<typeof env>, metrics: ReturnType<typeof workerMetrics>) {
  const { INBOUND_SMTP_TLS_CERT: cert, INBOUND_SMTP_TLS_KEY: key } = config;
  if (Boolean(cert) !== Boolean(key)) throw new Error('INBOUND_SMTP_TLS_CERT and INBOUND_SMTP_TLS_KEY go together: set both for STARTTLS, or neither.');
  const receiving = {
    orm,
    temporal: { address: config.TEMPORAL_ADDRESS!, namespace: config.TEMPORAL_NAMESPACE },
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    publicUrl: config.PUBLIC_URL,
    secret: relaisSecret(),
    domain: config.INBOUND_MAIL_DOMAIN,
    logger: log,
    intakeObserver: metrics.intakeObserver,
  };
  const listener = config.RELAIS_INBOUND_SMTP_PORT
    ? await startMailService({
        ...receiving,
        databaseUrl: config.DATABASE_URL!,
        port: config.RELAIS_INBOUND_SMTP_PORT,
        maxBytes: config.INBOUND_MAIL_MAX_BYTES,
        tls: cert && key ? { cert: fs.readFileSync(cert), key: fs.readFileSync(key) } : undefined,
      })
    : undefined;
  const receive = listener?.receive ?? createReceiveEmail(receiving).receive;
  const imap = await startImapPollers({ orm, receive, logger: log, timings: { maxMessageBytes: config.INBOUND_MAIL_MAX_BYTES } });
  return {
    smtpPort: listener?.listener.port,
    imapMailboxes: imap.pollers.size,
    stop: async () => {
      await imap.stop();
      await listener?.stop();
    },
  };
}

/**
 * Creates the monthly quality report and daily retention schedules of every tenant that has none; idempotent across
 * workers and restarts.
 * Existing schedules are left as they are (a worker on another task queue must not take them over): tenant:import and
 * `relais reports:schedule` update them.
 */
async function ensureReportSchedules(orm: Awaited<ReturnType<typeof initORM>>, config: ReturnType<typeof env>): Promise<void> {
  try {
    const client = await temporalClient({ address: config.TEMPORAL_ADDRESS!, namespace: config.TEMPORAL_NAMESPACE });
    // Both kinds at once: each is a round trip per tenant.
    const [outcomes, retention] = await Promise.all([
      ensureQualityReportSchedules(client, orm.em.fork(), config.TEMPORAL_TASK_QUEUE, { update: false }),
      ensureRetentionSchedules(client, orm.em.fork(), config.TEMPORAL_TASK_QUEUE, { update: false }),
    ]);
    const slugs = (outcome: string) => Object.keys(outcomes).filter((slug) => outcomes[slug] === outcome);
    log.info({ created: slugs('created').length, unchanged: slugs('unchanged').length }, 'monthly report schedules ensured');
    if (slugs('outdated').length) log.warn({ tenants: slugs('outdated') }, 'monthly report schedules differ from this worker (run relais reports:schedule to update them)');
    const created = Object.values(retention).filter((outcome) => outcome === 'created').length;
    log.info({ created, tenants: Object.keys(retention).length }, 'daily retention schedules ensured');
  } catch (error) {
    // Requests must keep flowing: the schedules are ensured again at the next start and by tenant:import.
    log.error(error, 'monthly report or retention schedules could not be ensured');
  }
}

main().catch((error) => {
  log.error(error, 'worker stopped on an error');
  process.exit(1);
});
