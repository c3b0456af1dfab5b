import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@/dev/embedded-postgres';
import { closeAllORMs, initORM, migrate } from '@/domain/orm';
import { DEMO_TENANT_FILE, importTenantFile } from '@/domain/tenant-config/import';
import { startMailSink, type MailSink, type MailSinkOptions } from '@/dev/mail-sink/mail-sink';
import { freePort } from '@/dev/ports';
import { stopChild } from '@/dev/temporal-dev-server';
import { WORKER_NODE_ARGS } from '@/temporal/worker-process';


/** A PostgreSQL database for one run; an embedded server can also be stopped and started again on its data. */
export interface TestDatabase {
  url: string;
  stop(): Promise<void>;
  restartable?: { down(): Promise<void>; up(): Promise<void> };
}

/** A PostgreSQL database for one run: a fresh database on DATABASE_URL's server, or an embedded server. */
export async function startTestDatabase(dir: string): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) return startRestartableEmbedded({ dataDir: path.join(dir, 'postgres'), port: await freePort() });
  const name = `relais_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    stop: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** The embedded server, which a fault test may stop and start again on the same port and data. */
async function startRestartableEmbedded(options: { dataDir: string; port: number }): Promise<TestDatabase> {
  let server: { url: string; stop(): Promise<void> } | undefined = await startEmbeddedPostgres(options);
  const { url } = server;
  const down = async () => {
    await server?.stop();
    server = undefined;
  };
  return {
    url,
    stop: down,
    restartable: {
      down,
      up: async () => {
        server = await startEmbeddedPostgres(options);
      },
    },
  };
}

/** Migrates a database and imports the demo tenant. */
export async function prepareDatabase(url: string): Promise<void> {
  const orm = await initORM(url);
  await migrate(orm);
  await importTenantFile(orm, DEMO_TENANT_FILE);
  await closeAllORMs();
}

/** Starts the SMTP sink on free ports; with `inbound`, mail for the inbound domain goes on to the listener. */
export function startTestMailSink(dir: string, inbound?: MailSinkOptions['inbound']): Promise<MailSink> {
  return startMailSink({ dir: path.join(dir, 'mail'), smtpPort: 0, httpPort: 0, inbound });
}

/** Runs `scripts/worker.ts` as a real child process; resolves when it polls. */
export async function startWorkerProcess(
  env: Record<string, string>,
  options: { logLevel?: 'info' | 'debug' | 'trace'; /** Node flags before the worker's own (a bench's --cpu-prof). */ nodeArgs?: string[] } = {},
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  // At least info: readiness is its 'worker running' line.
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, LOG_LEVEL: options.logLevel ?? 'info' };
  // The stack's worker holds the inbound SMTP port: another worker listens only when its env names a port itself.
  if (!env.RELAIS_INBOUND_SMTP_PORT) delete childEnv.RELAIS_INBOUND_SMTP_PORT;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...WORKER_NODE_ARGS], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after 120 s: ${output.join('')}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (chunk.toString().includes('worker running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${output.join('')}`)));
  });
  return { child, stop: () => stopChild(child) };
}
