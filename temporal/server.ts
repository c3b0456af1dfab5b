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
  if (isExecutable(binaries.server) && isExecutable(binaries.sqlTool)) return binaries;
  if (!whichSync('go')) throw new Error('The cluster topology builds the Temporal server with Go: install Go (https://go.dev/dl), then start again.');
  log(`Building the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL schema tool with Go (first time only, many minutes)…`);
  const module = 'go.temporal.io/server';
  await goInstall([`${module}/cmd/server@${TEMPORAL_SERVER_VERSION}`, `${module}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`], path.dirname(binaries.server));
  for (const file of Object.values(binaries)) if (!isExecutable(file)) throw new Error(`go install finished but ${file} is missing.`);
  return binaries;
}

/** The Temporal UI server release the cluster runs: from v2.56.0 its module asks for a newer Go (1.26.9) than 1.26.8. */
export const TEMPORAL_UI_VERSION = 'v2.55.0';

/** The cached build of the UI server (its web assets are embedded in the binary). */
export function cachedUiServer(): string {
  return path.join(relaisCacheDir(), 'temporal-ui', TEMPORAL_UI_VERSION, 'server');
}

/** Returns the Temporal UI server, building it with Go the first time (a few minutes on two cores). */
export async function ensureTemporalUi(log: (line: string) => void = console.log): Promise<string> {
  const binary = cachedUiServer();
  if (isExecutable(binary)) return binary;
  if (!whichSync('go')) throw new Error('The cluster topology builds the Temporal UI server with Go: install Go (https://go.dev/dl), then start again.');
  log(`Building the Temporal UI server ${TEMPORAL_UI_VERSION} with Go (first time only, a few minutes)…`);
  await goInstall([`github.com/temporalio/ui-server/v2/cmd/server@${TEMPORAL_UI_VERSION}`], path.dirname(binary));
  if (!isExecutable(binary)) throw new Error(`go install finished but ${binary} is missing.`);
  return binary;
}
