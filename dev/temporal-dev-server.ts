import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { assertPortFree, canConnect } from '@/dev/ports';
import { devServerDynamicConfigArgs } from '@/dev/temporal-dynamic-config';

/** Options of a Temporal dev server; without dbFile the server keeps its state in memory. */
export interface DevServerOptions {
  cli: string;
  port: number;
  uiPort?: number;
  /** Where the server serves its Prometheus metrics (`/metrics`); without it, a port of its own choosing. */
  metricsPort?: number;
  dbFile?: string;
  namespace?: string;
  /** Keyword search attributes to register (the product's own list lives with the workflows). */
  keywordAttributes?: readonly string[];
  log?: (line: string) => void;
}

/** A running Temporal dev server. */
export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` with SQLite in WAL mode and the given search attributes. */
export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  const { cli, port, uiPort, metricsPort, dbFile, namespace = 'default', keywordAttributes = [], log } = options;
  await assertPortFree(port, 'the Temporal dev server', 'RELAIS_TEMPORAL_PORT');
  if (uiPort) await assertPortFree(uiPort, 'the Temporal Web UI', 'RELAIS_TEMPORAL_UI_PORT');
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace, '--log-level', 'error'];
  args.push(...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']));
  if (metricsPort) args.push('--metrics-port', String(metricsPort));
  if (dbFile) {
    fs.mkdirSync(path.dirname(dbFile), { recursive: true });
    args.push('--db-filename', dbFile);
  }
  for (const pragma of ['journal_mode=wal', 'synchronous=normal']) args.push('--sqlite-pragma', pragma);
  for (const name of keywordAttributes) args.push('--search-attribute', `${name}=Keyword`);
  args.push(...devServerDynamicConfigArgs());

  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (output.length > 50) output.shift();
    log?.(text.trimEnd());
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`The Temporal dev server exited with code ${code}:\n${output.join('')}`))),
  );
  await Promise.race([waitForPort(port, 60_000), exited]);
  exited.catch(() => undefined);
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined,
    process: child,
    stop: () => stopChild(child),
  };
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Nothing listened on port ${port} within ${timeoutMs} ms.`);
}

/** SIGTERM, then SIGKILL after a grace period. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
