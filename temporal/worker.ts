import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { createDocumentActivities } from '@/activities/documents/document-activities';
import type { PdfRenderer } from '@/integrations/documents/renderer';
import { createExportActivities, type ExportActivityDeps } from '@/activities/exports/export-activities';
import { createProcessActivities } from '@/activities/process/process-activities';
import { createProbeActivities } from '@/activities/probe/probe-activities';
import { createPaymentActivities } from '@/activities/payment/payment-activities';
import { paymentProviderFor } from '@/integrations/payment';
import { createQualityReportActivities } from '@/activities/quality-report/quality-report-activities';
import { createRequestActivities } from '@/activities/request/request-activities';
import { createRetentionActivities } from '@/activities/retention/retention-activities';
import { createSubscriptionActivities } from '@/activities/subscriptions/subscription-activities';
import type { EmailSender } from '@/integrations/mail/smtp';
import { debitingChannel, smsActivityChannel } from '@/activities/notifications/sms';
import { createCampaignActivities } from '@/activities/campaigns/campaign-activities';
import { createRateBucket, rateBurstOf, type RateBucket } from '@/domain/sms/rate-bucket';
import { describeEndpoint, parseSmppUrl } from '@/integrations/smpp/config';
import { createSmsChannel, type SmsChannel } from '@/integrations/smpp/channel';
import { SmppGateway } from '@/integrations/smpp/gateway';
import { SmsStore } from '@/integrations/smpp/store';
import { submitInboundSms } from '@/domain/intake/sms';
import { createInboundSmsHandler } from '@/domain/sms/inbound';
import type { WorkerMetrics } from '@/integrations/observability/worker-metrics';
import type { NotificationObserver } from '@/activities/request/request-activities';
import { citizenReplySignal, REQUEST_TASK_QUEUE } from '@/workflows/request/definitions';
import { requestWorkflowStarter, temporalClient, type TemporalTarget } from './client';
import { observeActivities } from './observability';

const require = createRequire(import.meta.url);
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Libraries evaluated once per workflow thread and shared by every workflow, rather than again for each workflow the
 * thread creates (every workflow evaluates the whole bundle's modules): the CEL evaluator's function registry was 70 %
 * of that set-up. Only libraries that hold no state of a workflow's own belong here (bench:workflow-setup measures it).
 */
export const PRELOADED_WORKFLOW_MODULES = ['@marcbachmann/cel-js', 'luxon'];

/** Bundles the workflow code once (about 2 s); tests and the worker reuse it. */
export function bundleWorkflows(options: { preloadModules?: string[] } = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows/index.ts'),
    // Carries the request id of a workflow's start to its activities.
    workflowInterceptorModules: [require.resolve('../workflows/request-id.ts')],
    preloadModules: options.preloadModules ?? PRELOADED_WORKFLOW_MODULES,
    logger: quietBundlerLogger,
    // The bundler is webpack: it learns the '@/' alias that tsconfig.json gives the rest of the code.
    webpackConfigHook: (config) => ({ ...config, resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as object), '@': PROJECT_ROOT } } }),
  });
}

/** What a Relais worker needs. */
export interface WorkerDeps {
  temporalAddress: string;
  namespace: string;
  orm: MikroORM;
  email: EmailSender;
  publicUrl: string;
  workflowBundle?: WorkflowBundleWithSourceMap;
  taskQueue?: string;
  /** The SMS channel when SMPP_URL is configured (see startSmsService). */
  sms?: SmsChannel;
  /** The operator account's rate shared by every worker (see startSmsService). */
  smsRate?: RateBucket;
  /** One jsreport instance per worker process, started on the first PDF. */
  renderer: PdfRenderer;
  exports: Omit<ExportActivityDeps, 'orm'>;
  /** Activity logs (with the request id) and metrics; without it activities run unobserved. */
  observability?: { logger: Logger; metrics: WorkerMetrics };
}

/** A worker with the resources its activities hold (export database pools), to release after run(). */
export interface RelaisWorker {
  worker: Worker;
  close(): Promise<void>;
}

/** Creates the worker of request workflows and their activities. */
export async function createRelaisWorker(deps: WorkerDeps): Promise<RelaisWorker> {
  const connection = await NativeConnection.connect({ address: deps.temporalAddress });
  const bundle = deps.workflowBundle ?? (await bundleWorkflows());
  const { closeExportConnections, ...exportActivities } = createExportActivities({ orm: deps.orm, ...deps.exports });
  const sms = deps.sms && smsActivityChannel(deps.sms);
  // Notifications to a citizen about their own request or subscription go first; campaigns wait for the tokens left.
  const prioritySms = sms && debitingChannel(sms, deps.smsRate);
  const worker = await Worker.create({
    connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue ?? REQUEST_TASK_QUEUE,
    workflowBundle: bundle,
    activities: {
      ...createRequestActivities({
        orm: deps.orm,
        email: deps.email,
        publicUrl: deps.publicUrl,
        sms: prioritySms,
        observer: deps.observability && notificationObserver(deps.observability.metrics),
      }),
      ...createDocumentActivities({ orm: deps.orm, renderer: deps.renderer, publicUrl: deps.publicUrl }),
      ...exportActivities,
      ...createProcessActivities({ orm: deps.orm }),
      ...createPaymentActivities({ orm: deps.orm, providerFor: paymentProviderFor, publicUrl: deps.publicUrl }),
      ...createQualityReportActivities({ orm: deps.orm, email: deps.email, publicUrl: deps.publicUrl }),
      ...createRetentionActivities({ orm: deps.orm }),
      ...createSubscriptionActivities({ orm: deps.orm, email: deps.email, publicUrl: deps.publicUrl, sms: prioritySms }),
      ...createCampaignActivities({ orm: deps.orm, email: deps.email, publicUrl: deps.publicUrl, sms, rate: deps.smsRate }),
      ...createProbeActivities(),
    },
    interceptors: deps.observability ? { activity: [observeActivities(deps.observability)] } : undefined,
    maxConcurrentActivityTaskExecutions: 100,
    maxConcurrentWorkflowTaskExecutions: 100,
    // A cancellation reaches an activity with the answer to a heartbeat: a campaign paused or cancelled stops sending
    // within about a second, rather than 80 % of its batch's heartbeat timeout (12 s of SMS at the account's rate).
    maxHeartbeatThrottleInterval: '1 second',
  });
  return {
    worker,
    close: async () => {
      await closeExportConnections();
      await deps.renderer.close();
      await connection.close();
    },
  };
}

/** Notifications into the worker's counters; staff reminders are counted apart as well. */
export function notificationObserver(metrics: WorkerMetrics): NotificationObserver {
  return {
    sent: (channel, template) => {
      metrics.notificationsSent.inc({ channel, template });
      if (template === 'reminder') metrics.remindersSent.inc();
    },
    failed: (channel, template) => metrics.notificationsFailed.inc({ channel, template }),
  };
}

/** What the SMS service of a worker needs. */
export interface SmsServiceDeps {
  smppUrl: string;
  orm: MikroORM;
  temporal: TemporalTarget;
  taskQueue?: string;
  publicUrl: string;
  logger: Logger;
  /** SMS sent, receipt lag and requests filed from MO. */
  metrics?: WorkerMetrics;
}

/** A bound SMPP gateway with its receipt and MO handlers, and the channel the activities send through. */
export interface SmsService {
  channel: SmsChannel;
  /** The account's token bucket in PostgreSQL, at the URL's `rate` (80/s by default, like the gateway). */
  rate: RateBucket;
  gateway: SmppGateway;
  stop(): Promise<void>;
}

/**
 * Binds this worker's SMPP session: receipts update sms_message (each SMS's one status) and the timeline; MO become
 * requests, replies or opt-outs. Each worker process holds one bind, and the SMSC may hand any of them an MO
 * or a receipt, so both handlers are idempotent and work from the database alone.
 */
export async function startSmsService(deps: SmsServiceDeps): Promise<SmsService> {
  const log = deps.logger.child({ component: 'sms' });
  const { metrics } = deps;
  const store = new SmsStore(deps.orm, {
    logger: log,
    onReceiptOutcome: metrics
      ? (outcome) => {
          if (outcome.submittedAt) metrics.smsReceiptLag.observe({ status: outcome.status }, Math.max(0, Date.now() - outcome.submittedAt.getTime()) / 1000);
        }
      : undefined,
  });
  const startWorkflow = requestWorkflowStarter(deps.temporal, deps.taskQueue ?? REQUEST_TASK_QUEUE);
  const handleInbound = createInboundSmsHandler({
    orm: deps.orm,
    submitRequest: (input) =>
      submitInboundSms(
        {
          orm: deps.orm,
          startWorkflow,
          publicUrl: deps.publicUrl,
          onStartFailure: (error, start) => log.warn({ err: error, workflowId: start.workflowId }, 'request workflow not started yet'),
          observer: metrics?.intakeObserver,
        },
        input,
      ),
    signalReply: async (workflowId, body) => {
      const client = await temporalClient(deps.temporal);
      await client.workflow.getHandle(workflowId).signal(citizenReplySignal, { body, via: 'sms' });
    },
    // The STOP confirmation goes out through this worker's own bind (the channel below, ready before any MO arrives).
    sendSms: (sms) => channel.send(sms),
  });
  const endpoint = parseSmppUrl(deps.smppUrl);
  const ratePerSecond = endpoint.ratePerSecond ?? DEFAULT_SMS_RATE;
  const gateway = new SmppGateway({
    url: deps.smppUrl,
    logger: log,
    ratePerSecond,
    // Paced after the account's bucket: with no burst, every slot a late grant missed was lost (the rate fell short).
    rateBurst: rateBurstOf(ratePerSecond),
    // Kept raw whatever its format; a receipt naming no message we know stays unmatched in sms_receipt. The store logs
    // the final states once per batch.
    onDeliveryReceipt: async (receipt) => {
      await store.recordReceipt(receipt);
    },
    onInboundMessage: async (message) => {
      const outcome = await handleInbound(message);
      log.info({ kind: outcome.kind, segments: message.segmentCount }, 'inbound SMS handled');
    },
    onError: (error) => log.warn({ err: error }, 'SMPP gateway problem'),
  });
  const channel = createSmsChannel({
    store,
    gateway,
    onSubmitted: metrics
      ? (segments) => {
          metrics.smsSent.inc();
          metrics.smsSegmentsSent.inc(segments);
        }
      : undefined,
  });
  await gateway.start();
  const rate = createRateBucket({ orm: deps.orm, account: describeEndpoint(endpoint), ratePerSecond });
  const stop = async () => {
    // Unbound first, so no receipt comes in any more; writes under way finish before the pool closes.
    await gateway.stop();
    await store.close();
  };
  return { channel, gateway, rate, stop };
}

/** submit_sm per second when SMPP_URL names no `rate`: the gateway's default too. */
const DEFAULT_SMS_RATE = 80;

const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
  log: () => undefined,
};
