import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MailSink } from '@/dev/mail-sink/mail-sink';
import { freePort } from '@/dev/ports';
import { WEB_SERVER_ARGS, buildWebIfStale, waitForHealth } from '@/scripts/web-build';
import { ensureTemporalCli } from '@/temporal/cli';
import { ensureTemporalServer } from '@/temporal/server';
import { freeClusterPort, startTemporalCluster } from '@/scripts/cluster/temporal-server';
import { startTemporalDevServer, stopChild } from '@/dev/temporal-dev-server';
import { CUSTOM_SEARCH_ATTRIBUTES } from '@/workflows/search-attributes';
import { startDevSmsc } from '@/dev/smsc-simulator/dev';
import { startDevPayfip } from '@/dev/payfip-simulator/dev';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { prepareDatabase, startTestDatabase, startTestMailSink, startWorkerProcess } from './services';

/** The variable that gives tests the Temporal server's metrics address (`Stack.temporalMetricsUrl`). */
export const TEMPORAL_METRICS_ENV = 'RELAIS_TEST_TEMPORAL_METRICS_URL';

/** What to start besides database, Temporal and the mail sink. */
export interface StackOptions {
  /** Prefix of the temporary folder that holds every service's data. */
  prefix: string;
  /** Worker processes to start (default 1). */
  workers?: number;
  /** Node flags for each worker process, before its own (a bench's --cpu-prof). */
  workerNodeArgs?: string[];
  /** The SMSC simulator, with SMPP_URL for the workers (default true). */
  sms?: boolean;
  /** Keep Temporal's state in a SQLite file as `npm start` does, instead of memory. */
  temporalFile?: boolean;
  /** `npm run start:cluster`'s Temporal server on the stack's PostgreSQL instead of the development server (benches). */
  temporalCluster?: boolean;
  /** Start the built web app, in `processes` processes behind one port (default 1); without it PUBLIC_URL is `http://relais.test`. */
  web?: { host?: string; quiet?: boolean; processes?: number };
  /** More variables for the workers and this process, given the data folder. */
  extraEnv?: (dir: string) => Record<string, string>;
  log?: (line: string) => void;
}

/** A running stack on free ports; its variables are also set on this process. */
export interface Stack {
  dir: string;
  env: Record<string, string>;
  sink: MailSink;
  baseUrl?: string;
  /** The Temporal server's own Prometheus metrics. */
  temporalMetricsUrl: string;
  workers: Array<{ child: ChildProcess; stop(): Promise<void> }>;
  /** Starts one more worker process (without the inbound SMTP listener, which the first one holds), stopped with the stack. */
  addWorker(): Promise<{ child: ChildProcess; stop(): Promise<void> }>;
  /** The web server: with several processes, the cluster primary whose children serve the requests. */
  web?: ChildProcess;
  /** Services a fault test takes down and brings back on the same port and data: the Temporal server of `temporalCluster`, and the embedded PostgreSQL server. */
  interruptible: Partial<Record<'temporal' | 'database', Interruptible>>;
  stop(): Promise<void>;
}

/** A service stopped and started again in place, as an outage and its end. */
export interface Interruptible {
  down(): Promise<void>;
  up(): Promise<void>;
}

/** Starts the real services that tests, browser tests and benchmarks run against. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? ((line: string) => console.log(`[stack] ${line}`));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), options.prefix));
  // The embedded server runs as the postgres user, which must reach its data folder.
  await fs.chmod(dir, 0o755);
  const stops: Array<() => Promise<unknown>> = [() => fs.rm(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const database = await startTestDatabase(dir);
    stops.push(() => database.stop());
    await prepareDatabase(database.url);
    // The first worker's inbound SMTP listener; the sink hands it mail for the inbound domain (a citizen's reply).
    const inboundPort = await freePort();
    const sink = await startTestMailSink(dir, { domain: process.env.INBOUND_MAIL_DOMAIN ?? 'relais.localhost', listener: { host: '127.0.0.1', port: inboundPort } });
    stops.push(sink.stop);
    const cli = await ensureTemporalCli(log);
    const keywordAttributes = CUSTOM_SEARCH_ATTRIBUTES.map((key) => key.name);
    const temporalPort = options.temporalCluster ? await freeClusterPort() : await freePort();
    // The same port after a restart, so that a reader of the server's metrics keeps its address.
    const temporalMetricsPort = await freePort();
    const startTemporal = async () =>
      options.temporalCluster
        ? startTemporalCluster({
            binaries: await ensureTemporalServer(log),
            cli,
            databaseUrl: database.url,
            root: path.join(dir, 'temporal-cluster'),
            port: temporalPort,
            namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
            keywordAttributes,
            metricsPort: temporalMetricsPort,
            log,
          })
        : startTemporalDevServer({ cli, keywordAttributes, port: temporalPort, metricsPort: temporalMetricsPort, dbFile: options.temporalFile ? path.join(dir, 'temporal.db') : undefined });
    let temporal: { address: string; stop(): Promise<void> } | undefined = await startTemporal();
    const temporalAddress = temporal.address;
    stops.push(() => temporal?.stop() ?? Promise.resolve());
    const interruptible: Stack['interruptible'] = {};
    // The development server keeps its state in memory or SQLite under its own process: only the cluster's survives it.
    if (options.temporalCluster) {
      interruptible.temporal = {
        down: async () => {
          await temporal?.stop();
          temporal = undefined;
        },
        up: async () => {
          temporal = await startTemporal();
        },
      };
    }
    if (database.restartable) interruptible.database = database.restartable;
    const smsc = options.sms === false ? undefined : await startDevSmsc();
    if (smsc) stops.push(smsc.stop);
    // On a free port; late notifications come after half a second so tests see them without waiting long.
    const payfip = await startDevPayfip({ lateDelayMs: 500 });
    stops.push(payfip.stop);
    const port = options.web ? await freePort() : undefined;
    const baseUrl = port ? `http://${options.web?.host ?? 'localhost'}:${port}` : undefined;
    const env: Record<string, string> = {
      ...smsc?.env,
      ...payfip.env,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporalAddress,
      SMTP_URL: `smtp://127.0.0.1:${sink.smtpPort}`,
      MAIL_SINK_URL: sink.url,
      PUBLIC_URL: baseUrl ?? 'http://relais.test',
      NEXT_TELEMETRY_DISABLED: '1',
      LOG_LEVEL: 'warn',
      RELAIS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      RELAIS_SECRET: randomBytes(32).toString('hex'),
      // The first worker runs the inbound SMTP listener; tests send to it with nodemailer.
      RELAIS_INBOUND_SMTP_PORT: String(inboundPort),
      ...options.extraEnv?.(dir),
    };
    for (const [key, value] of Object.entries(env)) process.env[key] = value;
    const workers: Stack['workers'] = [];
    const addWorker = async () => {
      // One listener per port: the workers after the first run without it.
      const workerEnv = workers.length === 0 ? env : Object.fromEntries(Object.entries(env).filter(([key]) => key !== 'RELAIS_INBOUND_SMTP_PORT'));
      const worker = await startWorkerProcess(workerEnv, { nodeArgs: options.workerNodeArgs });
      workers.push(worker);
      stops.push(worker.stop);
      return worker;
    };
    for (let i = 0; i < (options.workers ?? 1); i++) await addWorker();
    let web: ChildProcess | undefined;
    if (port && baseUrl) {
      buildWebIfStale(log);
      const processes = options.web?.processes ?? 1;
      const args = [...WEB_SERVER_ARGS, '-p', String(port), ...(options.web?.host ? ['-H', options.web.host] : []), ...(processes > 1 ? ['--processes', String(processes)] : [])];
      web = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: options.web?.quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'] });
      const started = web;
      stops.push(() => stopChild(started));
      // Without a worker the health check is red by design; the web app answering is enough then.
      await waitForHealth(`${baseUrl}/api/health`, { requireGreen: workers.length > 0 });
    }
    const temporalMetricsUrl = `http://127.0.0.1:${temporalMetricsPort}/metrics`;
    return { dir, env, sink, baseUrl, temporalMetricsUrl, workers, addWorker, web, interruptible, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Benches and the fault test post hundreds of requests a second from one address: the public API's hourly limits would refuse them. */
export async function liftDemoLimits(databaseUrl: string): Promise<void> {
  const orm = await initORM(databaseUrl);
  const limits = { perAddressPerHour: 100_000, perContactPerHour: 100_000, perTenantPerHour: 1_000_000 };
  await query(orm.em.fork(), "update tenant set settings = jsonb_set(settings, '{limits}', ?::jsonb) where slug = 'demo'", [JSON.stringify(limits)]);
  await closeAllORMs();
}
