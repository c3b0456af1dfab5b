// The inbound e-mail service of a worker: parsing, SPF/DKIM/DMARC, the mail intake and Relais's SMTP listener.
import { Worker } from 'node:worker_threads';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { submitInboundEmail } from '@/domain/intake/email';
import type { IntakeObserver } from '@/domain/intake/observer';
import { createMailTokens, type MailTokens } from '@/domain/mail/addresses';
import type { ReceiveEmail } from '@/domain/mail/inbound-message';
import { recordDeliveryReport } from '@/domain/mail/bounces';
import { createMailIntake } from '@/domain/mail/intake';
import { createInboundSpool, type InboundSpool } from '@/domain/mail/spool';
import { authenticateMessage, type DnsResolver } from '@/integrations/mail/authentication';
import { parseEmail } from '@/integrations/mail/parse';
import { citizenReplySignal, REQUEST_TASK_QUEUE } from '@/workflows/request/definitions';
import { requestWorkflowStarter, temporalClient, type TemporalTarget } from './client';
import type { ListenerThreadData, ListenerThreadMessage } from './mail-listener-thread';

/** What the receiving side of e-mail needs, whichever way the message came (SMTP listener, IMAP poller, dev tools). */
export interface ReceiveEmailDeps {
  orm: MikroORM;
  temporal: TemporalTarget;
  taskQueue?: string;
  publicUrl: string;
  /** RELAIS_SECRET: it signs the reply and bounce addresses. */
  secret: string;
  /** INBOUND_MAIL_DOMAIN. */
  domain: string;
  logger: Logger;
  /** DNS for SPF/DKIM/DMARC; the system's by default. */
  resolver?: DnsResolver;
  /** Told of each request an e-mail filed (the worker's metrics). */
  intakeObserver?: IntakeObserver;
}

/** The receive function every inbound path calls: parse, authenticate (SMTP only), then the mail intake. */
export function createReceiveEmail(deps: ReceiveEmailDeps): { receive: ReceiveEmail; tokens: MailTokens } {
  const log = deps.logger.child({ component: 'mail-in' });
  const tokens = createMailTokens(deps.secret, deps.domain);
  const startWorkflow = requestWorkflowStarter(deps.temporal, deps.taskQueue ?? REQUEST_TASK_QUEUE);
  const intake = createMailIntake({
    orm: deps.orm,
    tokens,
    submitRequest: (request) =>
      submitInboundEmail(
        {
          orm: deps.orm,
          startWorkflow,
          publicUrl: deps.publicUrl,
          onStartFailure: (error, start) => log.warn({ err: error, workflowId: start.workflowId }, 'request workflow not started yet'),
          observer: deps.intakeObserver,
        },
        request,
      ),
    signalReply: async (workflowId, reply) => {
      const client = await temporalClient(deps.temporal);
      await client.workflow.getHandle(workflowId).signal(citizenReplySignal, reply);
    },
    onDeliveryReport: async (notificationId, report, inboundId) => {
      const known = await recordDeliveryReport(deps.orm.em.fork(), notificationId, report, inboundId);
      log.info({ notificationId, known, statuses: report.statuses.map((s) => s.status) }, 'delivery report received');
    },
  });
  const receive: ReceiveEmail = async (raw, envelope) => {
    const parsed = await parseEmail(raw);
    // SPF needs the SMTP session; a polled mailbox's server checked its own mail.
    if (envelope.source === 'smtp') {
      parsed.authentication = await authenticateMessage(
        raw,
        { remoteAddress: envelope.remoteAddress, helo: envelope.helo, mailFrom: envelope.mailFrom },
        { mta: deps.domain, resolver: deps.resolver },
      );
    }
    return intake.receive(parsed, envelope);
  };
  return { receive, tokens };
}

/** What the SMTP listener of a worker needs besides the receiving side. */
export interface MailServiceDeps extends ReceiveEmailDeps {
  /** DATABASE_URL: the listener's thread opens its own small pool. */
  databaseUrl: string;
  /** RELAIS_INBOUND_SMTP_PORT. */
  port: number;
  host?: string;
  /** INBOUND_MAIL_MAX_BYTES. */
  maxBytes: number;
  /** INBOUND_SMTP_TLS_CERT / INBOUND_SMTP_TLS_KEY, read. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Messages this worker files at once from the spool (default 8). */
  drainConcurrency?: number;
}

/** A running SMTP listener, the spool behind it and the receive function its drainer files with. */
export interface MailService {
  listener: { port: number };
  spool: InboundSpool;
  receive: ReceiveEmail;
  stop(): Promise<void>;
}

/**
 * Starts Relais's SMTP listener for this worker, on a thread of its own: unknown recipients refused at RCPT, every
 * accepted message stored in the inbound spool before the 250. The drainer on this thread files the spool through
 * the intake (every worker's drainer shares it).
 */
export async function startMailService(deps: MailServiceDeps): Promise<MailService> {
  const log = deps.logger.child({ component: 'smtp-in' });
  const { receive } = createReceiveEmail(deps);
  const spool = createInboundSpool({ orm: deps.orm, receive, concurrency: deps.drainConcurrency, log: deps.logger.child({ component: 'mail-spool' }) });
  const drainer = spool.start();
  const data: ListenerThreadData = {
    databaseUrl: deps.databaseUrl,
    port: deps.port,
    host: deps.host,
    domain: deps.domain,
    secret: deps.secret,
    maxBytes: deps.maxBytes,
    tls: deps.tls,
    logLevel: deps.logger.level,
  };
  const thread = startTypeScriptThread(new URL('./mail-listener-thread.ts', import.meta.url), data);
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      thread.on('message', (message: ListenerThreadMessage) => {
        if (message.type === 'listening') resolve(message.port);
        else if (message.type === 'queued') spool.wake();
      });
      thread.once('error', reject);
      thread.once('exit', (code) => reject(new Error(`The SMTP listener thread stopped at start-up (exit code ${code})`)));
    });
  } catch (error) {
    await drainer.stop();
    throw error;
  }
  thread.on('error', (error) => log.error({ err: error }, 'SMTP listener thread failed'));
  log.info({ port, domain: deps.domain, starttls: Boolean(deps.tls) }, 'SMTP listener running');
  return {
    listener: { port },
    spool,
    receive,
    stop: async () => {
      const exited = new Promise((resolve) => thread.once('exit', resolve));
      thread.postMessage({ type: 'stop' });
      await exited;
      await drainer.stop();
    },
  };
}

/** A worker thread running a TypeScript module, loaded through tsx as the worker itself is. */
function startTypeScriptThread(module: URL, workerData: unknown): Worker {
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
