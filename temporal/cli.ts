import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The Temporal CLI release Relais builds when none is installed (newest tag `go install` accepts). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

/** Where Relais caches what it builds: under the home directory, so fresh clones on the same machine reuse it. */
export function relaisCacheDir(): string {
  return process.env.RELAIS_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'relais');
}

/** The cached build of the CLI. */
export function cachedCliPath(): string {
  return path.join(relaisCacheDir(), 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
}

/** Finds the Temporal CLI: $TEMPORAL_CLI, then `temporal` on PATH, then the cached build; undefined if none. */
export function findTemporalCli(): string | undefined {
  const explicit = process.env.TEMPORAL_CLI;
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI=${explicit} is not an executable file.`);
    return explicit;
  }
  const onPath = whichSync('temporal');
  if (onPath) return onPath;
  const cached = cachedCliPath();
  return isExecutable(cached) ? cached : undefined;
}

/** Returns a usable Temporal CLI, building it with Go or downloading the release when missing. */
export async function ensureTemporalCli(log: (line: string) => void = console.log): Promise<string> {
  const found = findTemporalCli();
  if (found) return found;
  const target = cachedCliPath();
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (whichSync('go')) {
    log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go (first time only, several minutes)…`);
    await goInstall([`github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], path.dirname(target));
    if (isExecutable(target)) return target;
    throw new Error(`go install finished but ${target} is missing.`);
  }
  try {
    await downloadRelease(target, log);
    return target;
  } catch (cause) {
    throw new Error(
      'The Temporal CLI is missing: install Go (https://go.dev/dl) so Relais can build it, ' +
        'or install the CLI (e.g. `brew install temporal`) and put it on PATH, or set TEMPORAL_CLI to its path.',
      { cause },
    );
  }
}

async function downloadRelease(target: string, log: (line: string) => void): Promise<void> {
  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  const version = TEMPORAL_CLI_VERSION.slice(1);
  const url = `https://github.com/temporalio/cli/releases/download/${TEMPORAL_CLI_VERSION}/temporal_cli_${version}_${process.platform}_${arch}.tar.gz`;
  log(`Downloading the Temporal CLI from ${url}…`);
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  const archive = `${target}.tar.gz`;
  fs.writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
  execFileSync('tar', ['-xzf', archive, '-C', path.dirname(target), 'temporal']);
  fs.rmSync(archive);
}

/** `go install` of Go packages into a folder of the cache. */
export function goInstall(packages: string[], gobin: string): Promise<void> {
  fs.mkdirSync(gobin, { recursive: true });
  return run('go', ['install', ...packages], { ...process.env, GOBIN: gobin, GOFLAGS: '-trimpath' });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

/** The path of an executable on PATH, or undefined. */
export function whichSync(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Whether a file exists and may be executed. */
export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
