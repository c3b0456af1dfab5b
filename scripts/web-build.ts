import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The Next.js command-line entry, run with this Node. */
export const NEXT_BIN = path.join('node_modules', 'next', 'dist', 'bin', 'next');

/** Node arguments of the production web server (the built app, with the client's address passed on: web-server.ts). */
export const WEB_SERVER_ARGS = ['--import', 'tsx', path.join('scripts', 'web-server.ts')];

const SOURCES = ['app', 'proxy.ts', 'domain', 'workflows', 'temporal', 'forms', 'activities', 'next.config.ts', 'package-lock.json'];

/** Runs `next build` unless the last build is newer than every source file. */
export function buildWebIfStale(log: (line: string) => void): void {
  const buildId = path.join(process.env.NEXT_DIST_DIR ?? '.next', 'BUILD_ID');
  const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
  if (builtAt > newestSource(SOURCES)) return;
  log('building the web app…');
  const result = spawnSync(process.execPath, [NEXT_BIN, 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error('next build failed (see the messages above).');
}

function newestSource(entries: string[]): number {
  let newest = 0;
  const visit = (entry: string) => {
    if (!fs.existsSync(entry)) return;
    const stat = fs.statSync(entry);
    if (stat.isDirectory()) fs.readdirSync(entry).forEach((name) => visit(path.join(entry, name)));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  entries.forEach(visit);
  return newest;
}

/** Polls a health URL until it answers 200 (or anything, when requireGreen is false); fails with the last answer. */
export async function waitForHealth(url: string, { requireGreen = true, timeoutMs = 180_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok || !requireGreen) return;
      last = await response.text();
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} is not healthy after ${timeoutMs / 1000} s: ${last}`);
}
