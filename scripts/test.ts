import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { assertPostgresUserCanRun, prepareRootRuntime, runningAsRoot } from '@/dev/embedded-postgres-root';
import { ensureTemporalCli } from '@/temporal/cli';
import { buildWebIfStale } from './web-build';

/** One stage of the test run and how many checks it passed and failed. */
interface StageResult {
  name: string;
  passed: number;
  failed: number;
}

const results: StageResult[] = [];
const resultsDir = path.join('.data', 'test-results');
fs.mkdirSync(resultsDir, { recursive: true });

function run(command: string, args: string[], env: Record<string, string> = {}): number {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env } });
  return result.status ?? 1;
}

function stage(name: string, command: string, args: string[]): void {
  console.log(`\n=== ${name} ===`);
  const ok = run(command, args) === 0;
  results.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
}

function vitest(): void {
  console.log('\n=== unit and integration tests (Vitest) ===');
  const report = path.join(resultsDir, 'vitest.json');
  fs.rmSync(report, { force: true });
  run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  if (!fs.existsSync(report)) {
    results.push({ name: 'vitest', passed: 0, failed: 1 });
    return;
  }
  const summary = JSON.parse(fs.readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numFailedTestSuites: number };
  // A file that fails to load has no failed test of its own: count it once so the run cannot look green.
  const unloaded = summary.numFailedTests === 0 && summary.numFailedTestSuites > 0 ? 1 : 0;
  results.push({ name: 'vitest', passed: summary.numPassedTests, failed: summary.numFailedTests + unloaded });
}

function playwright(): void {
  console.log('\n=== browser tests (Playwright on Chromium) ===');
  const report = path.join(resultsDir, 'playwright.json');
  fs.rmSync(report, { force: true });
  run(process.execPath, ['node_modules/@playwright/test/cli.js', 'test']);
  if (!fs.existsSync(report)) {
    results.push({ name: 'playwright', passed: 0, failed: 1 });
    return;
  }
  const { stats, errors } = JSON.parse(fs.readFileSync(report, 'utf8')) as { stats: { expected: number; unexpected: number; flaky: number }; errors: unknown[] };
  results.push({ name: 'playwright', passed: stats.expected + stats.flaky, failed: stats.unexpected + (errors.length && !stats.unexpected ? 1 : 0) });
}

// Before the stages, not inside a test run's global set-up: the first build takes minutes, and a failure is one line.
try {
  if (!process.env.DATABASE_URL && runningAsRoot()) assertPostgresUserCanRun(prepareRootRuntime().initdb);
  await ensureTemporalCli((line) => console.log(`[test] ${line}`));
  // The web app, once for Vitest (scripts/observability.test.ts runs a web process) and Playwright.
  buildWebIfStale((line) => console.log(`[test] ${line}`));
} catch (error) {
  console.error(`[test] cannot run the tests: ${(error as Error).message}`);
  process.exit(1);
}

/** Every folder of code the rules speak of. */
const CRUISED = ['domain', 'integrations', 'activities', 'workflows', 'temporal', 'app', 'dev', 'forms', 'processes', 'scripts', 'bench', 'proxy.ts'];

stage('type check (tsc)', process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.']);
stage('lint (eslint)', process.execPath, ['node_modules/eslint/bin/eslint.js', '.']);
// The folders' import directions and the absence of cycles (.dependency-cruiser.cjs; the README's "Layout").
stage('import directions (dependency-cruiser)', process.execPath, ['node_modules/dependency-cruiser/bin/dependency-cruise.mjs', '--config', '.dependency-cruiser.cjs', ...CRUISED]);
vitest();
playwright();

console.log('');
for (const r of results) console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
