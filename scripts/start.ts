import { spawn, type ChildProcess } from 'node:child_process';
import exitHook from 'async-exit-hook';
import fs from 'node:fs';
import path from 'node:path';
import { startMailSink } from '@/dev/mail-sink/mail-sink';
import { assertPortFree } from '@/dev/ports';
import { embeddedDataDir, startEmbeddedPostgres } from '@/dev/embedded-postgres';
import { removeStackState, writeStackState, type StackState } from '@/dev/stack-state';
import { env, resetEnv } from '@/domain/env';
import { closeAllORMs, initORM, migrate } from '@/domain/orm';
import { developmentRelaisSecret, embeddedDatabaseKey } from '@/domain/secrets/key-file';
import { MissingRelaisSecretError } from '@/domain/secrets/relais-secret';
import { query } from '@/domain/sql';
import { DEMO_TENANT_FILE, importTenantFile } from '@/domain/tenant-config/import';
import { ensureTemporalCli } from '@/temporal/cli';
import { ensureTemporalServer, ensureTemporalUi } from '@/temporal/server';
import { startTemporalDevServer, stopChild } from '@/dev/temporal-dev-server';
import { CUSTOM_SEARCH_ATTRIBUTES } from '@/workflows/search-attributes';
import { WORKER_NODE_ARGS } from '@/temporal/worker-process';
import { startDevSmsc } from '@/dev/smsc-simulator/dev';
import { startDevPayfip } from '@/dev/payfip-simulator/dev';
import { WEB_SERVER_ARGS, buildWebIfStale, waitForHealth } from './web-build';
import { startTemporalCluster } from './cluster/temporal-server';
import { startTemporalUi } from './cluster/temporal-ui';

const startedAt = Date.now();
const config = env();
// npm run start:cluster: a Temporal server on PostgreSQL, RELAIS_WORKERS workers and RELAIS_WEB_PROCESSES web processes.
const clusterTopology = process.argv.includes('--cluster');
const dataDir = path.resolve(config.RELAIS_DATA_DIR);
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ports = {
  web: config.PORT,
  postgres: port('RELAIS_PG_PORT', 5488),
  temporal: port('RELAIS_TEMPORAL_PORT', 7233),
  temporalUi: port('RELAIS_TEMPORAL_UI_PORT', 8233),
  smtp: port('RELAIS_SMTP_PORT', 1025),
  mailSink: port('RELAIS_MAIL_SINK_PORT', 1080),
  smsc: port('RELAIS_SMSC_PORT', 2775),
  smscControl: port('RELAIS_SMSC_CONTROL_PORT', 2776),
  smtpIn: port('RELAIS_INBOUND_SMTP_PORT', 2525),
  payfip: port('RELAIS_PAYFIP_PORT', 2780),
};
const stops: Array<{ name: string; stop: () => Promise<unknown> }> = [];
let stopping = false;

const say = (line: string) => console.log(`[relais] ${line}`);

/** Starts and supervises everything Relais needs on one machine. */
async function main(): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true });
  await assertPortFree(ports.web, 'the web server', 'PORT');
  const childEnv: Record<string, string> = { NEXT_TELEMETRY_DISABLED: '1' };
  // With its own SMTP sink or SMSC simulator this is a development stack, which gets a random RELAIS_SECRET below; a
  // deployment with real SMTP and SMPP brings its own, as the web server would refuse to start without it.
  const development = !config.SMTP_URL || !config.SMPP_URL;
  if (!config.RELAIS_SECRET && !development) throw new MissingRelaisSecretError();

  const cli = config.TEMPORAL_ADDRESS ? undefined : await ensureTemporalCli(say);

  let databaseUrl = config.DATABASE_URL;
  // Development keys live beside the embedded database when there is one, so they go with the data they protect.
  let keysDir = dataDir;
  let encryptionKeyFile: string | undefined;
  if (!databaseUrl) {
    const databaseDir = embeddedDataDir(dataDir);
    keysDir = path.dirname(databaseDir);
    const db = await startEmbeddedPostgres({ dataDir: databaseDir, port: ports.postgres });
    stops.push({ name: 'PostgreSQL', stop: db.stop });
    databaseUrl = db.url;
    // The embedded database's secrets get a key of their own; any other database needs RELAIS_ENCRYPTION_KEY.
    if (!config.RELAIS_ENCRYPTION_KEY) {
      childEnv.RELAIS_ENCRYPTION_KEY = process.env.RELAIS_ENCRYPTION_KEY = embeddedDatabaseKey(keysDir);
      encryptionKeyFile = path.join(keysDir, 'encryption.key');
      resetEnv();
    }
  }
  if (!config.RELAIS_SECRET) childEnv.RELAIS_SECRET = developmentRelaisSecret(keysDir);
  childEnv.DATABASE_URL = databaseUrl;
  await prepareDatabase(databaseUrl);

  let smtpUrl = config.SMTP_URL;
  if (!smtpUrl) {
    await assertPortFree(ports.smtp, 'the development SMTP sink', 'RELAIS_SMTP_PORT');
    await assertPortFree(ports.mailSink, 'the mail sink API', 'RELAIS_MAIL_SINK_PORT');
    // A citizen answering an e-mail from the sink reaches the inbound listener, so a demo reply works end to end.
    const inbound = { domain: config.INBOUND_MAIL_DOMAIN, listener: { host: '127.0.0.1', port: ports.smtpIn } };
    const sink = await startMailSink({ dir: path.join(dataDir, 'mail'), smtpPort: ports.smtp, httpPort: ports.mailSink, inbound });
    stops.push({ name: 'mail sink', stop: sink.stop });
    smtpUrl = `smtp://127.0.0.1:${sink.smtpPort}`;
    childEnv.MAIL_SINK_URL = sink.url;
  }
  childEnv.SMTP_URL = smtpUrl;

  let smppUrl = config.SMPP_URL;
  if (!smppUrl) {
    await assertPortFree(ports.smsc, 'the SMSC simulator', 'RELAIS_SMSC_PORT');
    await assertPortFree(ports.smscControl, 'the SMSC simulator control API', 'RELAIS_SMSC_CONTROL_PORT');
    // Receipts a second after the submit, as a real network would, so the timeline shows "submitted" first.
    const smsc = await startDevSmsc({ port: ports.smsc, controlPort: ports.smscControl, receiptDelayMs: 1_000 });
    stops.push({ name: 'SMSC simulator', stop: smsc.stop });
    smppUrl = smsc.env.SMPP_URL;
    childEnv.SMSC_CONTROL_URL = smsc.env.SMSC_CONTROL_URL;
  }
  childEnv.SMPP_URL = smppUrl;

  // A development stack pays on the PayFiP simulator unless PAYFIP_SERVICE_URL names a real service.
  if (!config.PAYFIP_SERVICE_URL && development) {
    await assertPortFree(ports.payfip, 'the PayFiP simulator', 'RELAIS_PAYFIP_PORT');
    const payfip = await startDevPayfip({ port: ports.payfip, lateDelayMs: 5_000 });
    stops.push({ name: 'PayFiP simulator', stop: payfip.stop });
    Object.assign(childEnv, payfip.env);
  }

  // The worker runs Relais's SMTP listener for inbound e-mail on this port.
  await assertPortFree(ports.smtpIn, 'the inbound SMTP listener', 'RELAIS_INBOUND_SMTP_PORT');
  childEnv.RELAIS_INBOUND_SMTP_PORT = String(ports.smtpIn);

  let temporalUi = config.TEMPORAL_UI_URL;
  if (cli && clusterTopology) {
    const server = await startTemporalCluster({
      binaries: await ensureTemporalServer(say),
      cli,
      databaseUrl,
      root: path.join(dataDir, 'temporal-cluster'),
      port: ports.temporal,
      namespace: config.TEMPORAL_NAMESPACE,
      keywordAttributes: CUSTOM_SEARCH_ATTRIBUTES.map((key) => key.name),
      log: say,
    });
    stops.push({ name: 'Temporal server', stop: server.stop });
    childEnv.TEMPORAL_ADDRESS = server.address;
    say(`Temporal server on PostgreSQL at ${server.address}; its metrics at ${server.metricsUrl}`);
    const ui = await startTemporalUi({
      binary: await ensureTemporalUi(say),
      root: path.join(dataDir, 'temporal-ui'),
      port: ports.temporalUi,
      temporalAddress: server.address,
      namespace: config.TEMPORAL_NAMESPACE,
    });
    stops.push({ name: 'Temporal UI', stop: ui.stop });
    temporalUi = ui.url;
  } else if (cli) {
    const server = await startTemporalDevServer({
      cli,
      keywordAttributes: CUSTOM_SEARCH_ATTRIBUTES.map((key) => key.name),
      port: ports.temporal,
      uiPort: ports.temporalUi,
      dbFile: path.join(dataDir, 'temporal', 'temporal.db'),
      namespace: config.TEMPORAL_NAMESPACE,
    });
    stops.push({ name: 'Temporal', stop: server.stop });
    childEnv.TEMPORAL_ADDRESS = server.address;
    temporalUi = server.uiUrl;
  }
  if (temporalUi) childEnv.TEMPORAL_UI_URL = temporalUi;

  buildWebIfStale(say);
  const workers = clusterTopology ? config.RELAIS_WORKERS : 1;
  for (let i = 0; i < workers; i++) supervise(workers > 1 ? `worker ${i + 1}` : 'worker', () => spawnNode(WORKER_NODE_ARGS, workerEnv(childEnv, i)));
  const webProcesses = clusterTopology ? ['--processes', String(config.RELAIS_WEB_PROCESSES)] : [];
  supervise('web', () => spawnNode([...WEB_SERVER_ARGS, '-p', String(ports.web), ...webProcesses], childEnv));

  await waitForHealth(`http://127.0.0.1:${ports.web}/api/health`);
  const publicUrl = config.PUBLIC_URL;
  say(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  say(`Portal (demo)       ${publicUrl}/t/demo`);
  say(`Agent console       ${publicUrl}/console/demo`);
  if (childEnv.MAIL_SINK_URL) say(`Mail sink           ${publicUrl}/dev/courriels`);
  say(`Inbound e-mail      smtp://127.0.0.1:${ports.smtpIn} — write to demo@${config.INBOUND_MAIL_DOMAIN}: npx relais mail:send --from jeanne@exemple.fr --subject Bonjour < texte.txt`);
  if (childEnv.SMSC_CONTROL_URL) say(`SMS (simulator)     ${publicUrl}/dev/sms — SMS to 36180: npx relais sms:mo --from 0612345678 "MAIRE Bonjour"`);
  if (childEnv.PAYFIP_SIMULATOR_URL) say(`PayFiP (simulator)  ${childEnv.PAYFIP_PAYMENT_URL} — test card 4970100000000000 pays, …0002 is refused, …0009 times out`);
  if (temporalUi) say(`Temporal UI         ${temporalUi}`);
  say(`Health              ${publicUrl}/api/health`);
  if (!config.DATABASE_URL) {
    // The command line beside this stack reads this file when DATABASE_URL is unset (scripts/commands/support.ts).
    const state: StackState = {
      pid: process.pid,
      startedAt: new Date(startedAt).toISOString(),
      databaseUrl,
      temporalAddress: childEnv.TEMPORAL_ADDRESS ?? config.TEMPORAL_ADDRESS,
      temporalNamespace: config.TEMPORAL_NAMESPACE,
      encryptionKeyFile,
    };
    const file = writeStackState(dataDir, state);
    say(`Database            ${databaseUrl}`);
    const shown = path.relative(process.cwd(), file);
    say(`Command line        npx relais … in this folder finds this stack (${shown.startsWith('..') ? file : shown}); elsewhere: export DATABASE_URL=${databaseUrl}`);
  }
  say('Demo agents: see README.md. Press Ctrl-C to stop.');
}

async function prepareDatabase(url: string): Promise<void> {
  const orm = await initORM(url);
  const applied = await migrate(orm);
  if (applied.length) say(`database migrated: ${applied.join(', ')}`);
  const demo = await query(orm.em.fork(), "select 1 from tenant where slug = 'demo'");
  if (demo.length === 0) {
    await importTenantFile(orm, DEMO_TENANT_FILE);
    say('demo tenant "Ville de Démo" imported');
  }
  await closeAllORMs();
}

/** The environment of the i-th worker: the inbound SMTP listener on the first one only, a metrics port of its own. */
function workerEnv(childEnv: Record<string, string>, index: number): Record<string, string> {
  if (index === 0) return childEnv;
  const own: Record<string, string> = { ...childEnv, RELAIS_INBOUND_SMTP_PORT: '' };
  if (config.RELAIS_METRICS_PORT) own.RELAIS_METRICS_PORT = String(config.RELAIS_METRICS_PORT + index);
  return own;
}

function spawnNode(args: string[], extraEnv: Record<string, string>): ChildProcess {
  return spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, ...extraEnv } });
}

function supervise(name: string, launch: () => ChildProcess, restarts = 0): void {
  const child = launch();
  stops.push({ name, stop: () => stopChild(child) });
  child.once('exit', (code, signal) => {
    if (stopping) return;
    const delay = Math.min(30_000, 1000 * 2 ** restarts);
    say(`${name} exited (${signal ?? code}); restarting in ${delay / 1000} s`);
    setTimeout(() => supervise(name, launch, restarts + 1), delay);
  });
}

async function shutdown(code: number): Promise<never> {
  stopping = true;
  removeStackState(dataDir);
  for (const { name, stop } of stops.reverse()) {
    await stop().catch((error: Error) => say(`${name} did not stop cleanly: ${error.message}`));
  }
  process.exit(code);
}

// embedded-postgres stops its servers and exits the process on the first SIGINT, SIGTERM or SIGHUP, racing the
// ordered shutdown above: Temporal and the worker were left running when only this process was signalled.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) exitHook.unhookEvent(signal);

process.once('SIGINT', () => {
  say('stopping…');
  void shutdown(0);
});
process.once('SIGTERM', () => void shutdown(0));

main().catch((error: Error) => {
  console.error(`[relais] could not start: ${error.message}`);
  void shutdown(1);
});
