import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { stopChild } from '@/dev/temporal-dev-server';

/** A cluster server to start: its binary, arguments and log file, and what says it is ready. */
export interface ServerProcessOptions {
  /** Named in the error when the process exits before it is ready. */
  name: string;
  command: string;
  args: string[];
  /** Its standard output and error are appended here. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /** Resolves once the server serves (its port answers, its namespace is registered…). */
  ready: () => Promise<void>;
}

/** Starts a server with its output in its log file; stopped again if it exits or fails before `ready` resolves. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ChildProcess> {
  const out = fs.openSync(options.logFile, 'a');
  const child = spawn(options.command, options.args, { stdio: ['ignore', out, out], ...(options.env ? { env: options.env } : {}) });
  fs.closeSync(out);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`The ${options.name} exited with code ${code}; its log: ${options.logFile}`))),
  );
  exited.catch(() => undefined);
  try {
    await Promise.race([options.ready(), exited]);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return child;
}
