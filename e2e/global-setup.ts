import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../dev/ports';
import { stopChild } from '../temporal/dev-server';
import { prepareDatabase, startTestDatabase, startTestMailSink, startDevSmsc, startTestTemporal, startWorkerProcess } from '../temporal/testing/services';
import { NEXT_BIN, buildWebIfStale } from '../scripts/web-build';

/** Starts the whole stack for browser tests: database, Temporal, mail sink, worker and the built web app. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'relais-e2e-'));
  await fs.chmod(dir, 0o755);
  const database = await startTestDatabase(dir);
  await prepareDatabase(database.url);
  const sink = await startTestMailSink(dir);
  const temporal = await startTestTemporal();
  const smsc = await startDevSmsc();
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const env: Record<string, string> = {
    ...smsc.env,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    SMTP_URL: `smtp://127.0.0.1:${sink.smtpPort}`,
    MAIL_SINK_URL: sink.url,
    PUBLIC_URL: baseUrl,
    NEXT_TELEMETRY_DISABLED: '1',
    LOG_LEVEL: 'warn',
  };
  for (const [key, value] of Object.entries(env)) process.env[key] = value;
  process.env.E2E_BASE_URL = baseUrl;
  const worker = await startWorkerProcess(env);
  buildWebIfStale((line) => console.log(`[e2e] ${line}`));
  const web = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port)], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  await waitForHealth(`${baseUrl}/api/health`);
  return async () => {
    await stopChild(web);
    await worker.stop();
    await temporal.stop();
    await smsc.stop();
    await sink.stop();
    await database.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}

async function waitForHealth(url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = await response.text();
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`web app not healthy after ${timeoutMs} ms: ${last}`);
}
