import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findStackState, type FoundStackState } from '@/dev/stack-state';
import { env, resetEnv } from '@/domain/env';

/** An error whose message is the whole story: printed as is, without a stack; `exitCode` 2 says the input was refused. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

const CHECKOUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let stack: (FoundStackState & { announced: boolean }) | undefined;
let staleStack: FoundStackState | undefined;

/**
 * The environment of the command line: with DATABASE_URL unset, the stack `npm start` runs in this checkout (its state
 * file in the data folder, from the current folder or the checkout's) gives the database, the Temporal server and the
 * embedded database's key, each only where the environment says nothing. Called once, before any command.
 */
export function loadCliEnvironment(): void {
  if (process.env.DATABASE_URL) return;
  const dataDir = env().RELAIS_DATA_DIR;
  const found = findStackState([path.resolve(dataDir), path.resolve(CHECKOUT, dataDir)]);
  if (!found) return;
  if (!found.running) {
    staleStack = found;
    return;
  }
  const { state } = found;
  process.env.DATABASE_URL = state.databaseUrl;
  if (!process.env.TEMPORAL_ADDRESS && state.temporalAddress) {
    process.env.TEMPORAL_ADDRESS = state.temporalAddress;
    if (!process.env.TEMPORAL_NAMESPACE && state.temporalNamespace) process.env.TEMPORAL_NAMESPACE = state.temporalNamespace;
  }
  if (!process.env.RELAIS_ENCRYPTION_KEY && state.encryptionKeyFile) {
    try {
      process.env.RELAIS_ENCRYPTION_KEY = fs.readFileSync(state.encryptionKeyFile, 'utf8').trim();
    } catch {
      // Unreadable (another user's stack): commands that need the key say so by its name.
    }
  }
  resetEnv();
  stack = { ...found, announced: false };
}

/** The database URL, or a CliError saying how to get one; says once which `npm start` stack it came from. */
export function requireDatabase(): string {
  const url = env().DATABASE_URL;
  if (url && stack && !stack.announced) {
    stack.announced = true;
    console.error(`DATABASE_URL is unset: using the stack of npm start (pid ${stack.state.pid}, started ${stack.state.startedAt}), ${url}, found in ${stack.file}.`);
  }
  if (url) return url;
  const stale = staleStack
    ? `The npm start that wrote ${staleStack.file} (pid ${staleStack.state.pid}) is no longer running.\nLe npm start qui a écrit ${staleStack.file} (pid ${staleStack.state.pid}) ne tourne plus.\n`
    : '';
  throw new CliError(
    `${stale}DATABASE_URL is not set and no running npm start was found: run \`npm start\` in this checkout (the command line then finds its database by itself), or set DATABASE_URL to a PostgreSQL server.\n` +
      'DATABASE_URL n’est pas défini et aucun npm start n’est en cours : lancez `npm start` dans ce dossier (la ligne de commande trouve alors sa base toute seule), ou définissez DATABASE_URL vers un serveur PostgreSQL.',
  );
}
