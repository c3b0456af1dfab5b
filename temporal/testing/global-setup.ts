import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { prepareDatabase, startTestDatabase, startTestMailSink, startDevSmsc, startTestTemporal, startWorkerProcess } from './services';

/** Starts the real services integration tests need; RELAIS_UNIT_ONLY=1 skips them. */
export default async function setup(): Promise<void | (() => Promise<void>)> {
  if (process.env.RELAIS_UNIT_ONLY === '1') return;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'relais-test-'));
  // The embedded server runs as the postgres user, which must reach its data folder.
  await fs.chmod(dir, 0o755);
  const database = await startTestDatabase(dir);
  await prepareDatabase(database.url);
  const sink = await startTestMailSink(dir);
  const temporal = await startTestTemporal();
  const smsc = await startDevSmsc();
  const env: Record<string, string> = {
    ...smsc.env,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    SMTP_URL: `smtp://127.0.0.1:${sink.smtpPort}`,
    MAIL_SINK_URL: sink.url,
    PUBLIC_URL: 'http://relais.test',
    RELAIS_TEST_DIR: dir,
    EXPORT_DIR: path.join(dir, 'exports'),
    LOG_LEVEL: 'warn',
  };
  for (const [key, value] of Object.entries(env)) process.env[key] = value;
  const worker = await startWorkerProcess(env);
  return async () => {
    await worker.stop();
    await temporal.stop();
    await smsc.stop();
    await sink.stop();
    await database.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
