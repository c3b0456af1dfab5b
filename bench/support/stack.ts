import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startMailSink, type MailSink } from '../../dev/mail-sink';
import { freePort } from '../../dev/ports';
import { ensureTemporalCli } from '../../temporal/cli';
import { startTemporalDevServer, stopChild } from '../../temporal/dev-server';
import { prepareDatabase, startTestDatabase, startWorkerProcess } from '../../temporal/testing/services';
import { NEXT_BIN, buildWebIfStale } from '../../scripts/web-build';

/** The embedded stack as `npm start` runs it (SQLite file in WAL mode), on free ports in a temp folder. */
export interface BenchStack {
  baseUrl: string;
  env: Record<string, string>;
  sink: MailSink;
  workers: Array<{ child: ChildProcess; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

/** Starts database, Temporal, mail sink, `workers` worker processes and the built web app. */
export async function startBenchStack(options: { workers?: number; log?: (line: string) => void } = {}): Promise<BenchStack> {
  const log = options.log ?? ((line: string) => console.log(`[stack] ${line}`));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'relais-bench-'));
  await fs.chmod(dir, 0o755);
  const database = await startTestDatabase(dir);
  await prepareDatabase(database.url);
  const sink = await startMailSink({ dir: path.join(dir, 'mail'), smtpPort: 0, httpPort: 0 });
  // BENCH_TEMPORAL_MEMORY=1 compares with the in-memory store.
  const dbFile = process.env.BENCH_TEMPORAL_MEMORY === '1' ? undefined : path.join(dir, 'temporal.db');
  const temporal = await startTemporalDevServer({ cli: await ensureTemporalCli(log), port: await freePort(), dbFile });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    SMTP_URL: `smtp://127.0.0.1:${sink.smtpPort}`,
    MAIL_SINK_URL: sink.url,
    PUBLIC_URL: baseUrl,
    NEXT_TELEMETRY_DISABLED: '1',
    LOG_LEVEL: 'warn',
  };
  for (const [key, value] of Object.entries(env)) process.env[key] = value;
  const workers: BenchStack['workers'] = [];
  for (let i = 0; i < (options.workers ?? 1); i++) workers.push(await startWorkerProcess(env));
  buildWebIfStale(log);
  const web = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  // Without a worker the health check is red by design; the web app answering is enough then.
  await waitFor(`${baseUrl}/api/health`, workers.length > 0);
  log(`stack ready at ${baseUrl}`);
  return {
    baseUrl,
    env,
    sink,
    workers,
    async stop() {
      await stopChild(web);
      for (const w of workers) await w.stop();
      await temporal.stop();
      await sink.stop();
      await database.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitFor(url: string, healthy: boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok || !healthy) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} not healthy after ${timeoutMs} ms`);
}
