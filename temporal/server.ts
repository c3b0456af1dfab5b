import path from 'node:path';
import { goInstall, isExecutable, relaisCacheDir, whichSync } from './cli';

/** The Temporal server release `npm run start:cluster` builds: go.temporal.io/server has no replace directive. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

/** The Temporal server and its SQL schema tool. */
export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
}

/** The cached builds, beside the CLI's. */
export function cachedServerBinaries(): TemporalServerBinaries {
  const dir = path.join(relaisCacheDir(), 'temporal-server', TEMPORAL_SERVER_VERSION);
  return { server: path.join(dir, 'server'), sqlTool: path.join(dir, 'sql') };
}

/** Returns the server and schema tool, building both with Go the first time (many minutes on two cores). */
export async function ensureTemporalServer(log: (line: string) => void = console.log): Promise<TemporalServerBinaries> {
  const binaries = cachedServerBinaries();
  const module = 'go.temporal.io/server';
  await ensureGoBuild(
    `the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL schema tool`,
    [`${module}/cmd/server@${TEMPORAL_SERVER_VERSION}`, `${module}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`],
    Object.values(binaries),
    'many minutes',
    log,
  );
  return binaries;
}

/** The Temporal UI server release the cluster runs: from v2.56.0 its module asks for a newer Go (1.26.9) than 1.26.8. */
const TEMPORAL_UI_VERSION = 'v2.55.0';

/** The cached build of the UI server (its web assets are embedded in the binary). */
function cachedUiServer(): string {
  return path.join(relaisCacheDir(), 'temporal-ui', TEMPORAL_UI_VERSION, 'server');
}

/** Returns the Temporal UI server, building it with Go the first time (a few minutes on two cores). */
export async function ensureTemporalUi(log: (line: string) => void = console.log): Promise<string> {
  const binary = cachedUiServer();
  await ensureGoBuild(`the Temporal UI server ${TEMPORAL_UI_VERSION}`, [`github.com/temporalio/ui-server/v2/cmd/server@${TEMPORAL_UI_VERSION}`], [binary], 'a few minutes', log);
  return binary;
}

/** Builds Go packages into the folder of `files` unless every file is already there, executable. */
async function ensureGoBuild(what: string, packages: string[], files: string[], duration: string, log: (line: string) => void): Promise<void> {
  if (files.every(isExecutable)) return;
  if (!whichSync('go')) throw new Error(`The cluster topology builds ${what} with Go: install Go (https://go.dev/dl), then start again.`);
  log(`Building ${what} with Go (first time only, ${duration})…`);
  await goInstall(packages, path.dirname(files[0]));
  for (const file of files) if (!isExecutable(file)) throw new Error(`go install finished but ${file} is missing.`);
}
