// The relais command line as tests run it: a child process, and tenant files written to a temporary folder.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs `relais <args>` to its end with this process's environment (or `env`). */
export function runRelais(args: string[], env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/relais.ts', ...args], { encoding: 'utf8', env });
}

/** Writes `content` (JSON unless a string) as a tenant file in a new temporary folder; returns its path. */
export function writeTenantFile(content: unknown, prefix = 'relais-cli-'): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), prefix)), 'commune.json');
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** A fresh id for test rows and names, for test files that keep Node's modules out of their own imports. */
export const newId = (): string => randomUUID();
