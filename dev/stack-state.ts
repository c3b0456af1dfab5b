// How the command line finds the stack `npm start` runs: a small file in the stack's data folder, written once the
// stack is ready and removed when it stops cleanly. Only the development start script writes it, and only for the
// embedded database it started itself: a deployment, which brings its own DATABASE_URL, never has one.
import fs from 'node:fs';
import path from 'node:path';

/** The state file's name, in the data folder of `npm start` (RELAIS_DATA_DIR, `.data` by default). */
export const STACK_STATE_FILE = 'stack.json';

/** What `npm start` tells the command line about the stack it runs. */
export interface StackState {
  /** The process of `npm start`: the file of a stack that was killed without its clean stop names a dead one. */
  pid: number;
  startedAt: string;
  databaseUrl: string;
  temporalAddress?: string;
  temporalNamespace?: string;
  /** The embedded database's own encryption key file, when `npm start` made the key (RELAIS_ENCRYPTION_KEY unset). */
  encryptionKeyFile?: string;
}

/** Where the state file of a data folder is. */
export function stackStateFile(dataDir: string): string {
  return path.join(dataDir, STACK_STATE_FILE);
}

/** Writes the state file (mode 600: the database URL carries its password), replacing any earlier one at once. */
export function writeStackState(dataDir: string, state: StackState): string {
  const file = stackStateFile(dataDir);
  const temporary = `${file}.${state.pid}.tmp`;
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temporary, file);
  return file;
}

/** Removes the state file if this process wrote it (another `npm start` of the same folder may have replaced it). */
export function removeStackState(dataDir: string, pid = process.pid): void {
  const file = stackStateFile(dataDir);
  try {
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<StackState>;
    if (state.pid === pid) fs.rmSync(file, { force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
  }
}

/** A state file found, with whether its `npm start` still runs. */
export interface FoundStackState {
  file: string;
  state: StackState;
  running: boolean;
}

/** The first readable state file among these data folders, or undefined. */
export function findStackState(dataDirs: string[]): FoundStackState | undefined {
  for (const dir of [...new Set(dataDirs.map((d) => path.resolve(d)))]) {
    const file = stackStateFile(dir);
    let state: StackState;
    try {
      state = JSON.parse(fs.readFileSync(file, 'utf8')) as StackState;
    } catch {
      continue;
    }
    if (typeof state?.databaseUrl !== 'string' || !Number.isInteger(state.pid)) continue;
    return { file, state, running: processRuns(state.pid) };
  }
  return undefined;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
