// Usage: npm run bench:compare -- --base <git revision> [--runs 2] [intake] [inbox] [mail] [sms]
//
// Runs benches on an earlier revision and on this checkout in one sitting, in A B B A order so that a machine
// that speeds up or slows down over the sitting weighs on both sides alike, and prints each run's figures, the
// spread between runs of the same code (the machine's noise) and the change between the two medians.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface Figure {
  name: string;
  pattern: RegExp;
  /** True when a larger value is better (throughput), false for latencies. */
  higherIsBetter: boolean;
}

const BENCHES: Record<string, { script: string; figures: Figure[] }> = {
  intake: {
    script: 'bench/intake/index.ts',
    figures: [
      { name: 'requests/s', pattern: /→ ([\d.]+) requests\/s/, higherIsBetter: true },
      { name: 'POST p95 ms', pattern: /POST latency .*p95 ([\d.]+) ms/, higherIsBetter: false },
      { name: 'ack p95 ms', pattern: /POST start → sink p50 [\d.]+ ms\s+p95 ([\d.]+) ms/, higherIsBetter: false },
    ],
  },
  inbox: {
    script: 'bench/inbox/index.ts',
    figures: [
      { name: 'first page p95 ms', pattern: /first [\d.]+ ms\/([\d.]+) ms/, higherIsBetter: false },
      { name: 'deep page p95 ms', pattern: /deep [\d.]+ ms\/([\d.]+) ms/, higherIsBetter: false },
      { name: 'filtered p95 ms', pattern: /filtered [\d.]+ ms\/([\d.]+) ms/, higherIsBetter: false },
      { name: 'search p95 ms', pattern: /search [\d.]+ ms\/([\d.]+) ms/, higherIsBetter: false },
    ],
  },
  mail: {
    script: 'bench/mail/index.ts',
    figures: [
      { name: 'e-mails/s', pattern: /^mail: ([\d.]+) e-mails\/s/m, higherIsBetter: true },
      { name: 'mail ack p95 ms', pattern: /^mail: .* ack p95 ([\d.]+) ms \|/m, higherIsBetter: false },
    ],
  },
  sms: {
    script: 'bench/sms/index.ts',
    figures: [
      { name: 'Relais SMS/s', pattern: /summary: .* b (\d+) SMS\/s/, higherIsBetter: true },
      { name: 'b/a %', pattern: /summary: .* b\/a ([\d.]+) %/, higherIsBetter: true },
    ],
  },
};

const { values, positionals } = parseArgs({ options: { base: { type: 'string' }, runs: { type: 'string', default: '2' } }, allowPositionals: true });
if (!values.base) {
  console.error('Usage: npm run bench:compare -- --base <git revision> [--runs 2] [intake] [inbox] [mail] [sms]');
  process.exit(2);
}
const runs = Number(values.runs);
const chosen = positionals.length ? positionals : Object.keys(BENCHES);
for (const name of chosen) if (!BENCHES[name]) throw new Error(`Unknown bench ${name}; known: ${Object.keys(BENCHES).join(', ')}`);

const head = process.cwd();
const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-bench-base-'));
execFileSync('git', ['worktree', 'add', '--detach', baseDir, values.base], { stdio: 'ignore' });
// The earlier revision runs with this checkout's packages, hard-linked (Next.js refuses a node_modules symlinked
// from outside its root); the benches' own dependencies have not changed.
execFileSync('cp', ['-al', path.join(head, 'node_modules'), path.join(baseDir, 'node_modules')]);

try {
  const headRev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const baseRev = execFileSync('git', ['rev-parse', '--short', values.base], { encoding: 'utf8' }).trim();
  console.log(`base ${baseRev}, head ${headRev} (with uncommitted changes if any); ${runs} run(s) of each side per bench, A B B A order`);
  for (const name of chosen) await compare(name, { base: baseDir, head });
} finally {
  execFileSync('git', ['worktree', 'remove', '--force', baseDir], { stdio: 'ignore' });
}

async function compare(name: string, dirs: { base: string; head: string }): Promise<void> {
  const bench = BENCHES[name];
  const results: Record<'base' | 'head', number[][]> = { base: [], head: [] };
  for (let run = 0; run < runs; run++) {
    const order: ('base' | 'head')[] = run % 2 === 0 ? ['base', 'head'] : ['head', 'base'];
    for (const side of order) {
      const output = await runBench(dirs[side], bench.script);
      const figures = bench.figures.map((figure) => {
        const match = figure.pattern.exec(output);
        if (!match) throw new Error(`${name} on ${side}: no "${figure.name}" in its output:\n${output.slice(-2000)}`);
        return Number(match[1]);
      });
      results[side].push(figures);
      console.log(`[${name}] ${side} run ${results[side].length}: ${bench.figures.map((f, i) => `${f.name} ${figures[i]}`).join(', ')}`);
    }
  }
  console.log(`\n${name}: figure, base runs → head runs; noise = largest spread between runs of the same code; change of the medians`);
  bench.figures.forEach((figure, i) => {
    const base = results.base.map((r) => r[i]);
    const after = results.head.map((r) => r[i]);
    const noise = Math.max(spread(base), spread(after));
    const change = (median(after) - median(base)) / median(base);
    const worse = figure.higherIsBetter ? change < 0 : change > 0;
    const verdict = runs < 2 ? 'one run each: noise not measured' : Math.abs(change) <= noise ? 'within noise' : worse ? 'WORSE beyond noise' : 'better beyond noise';
    console.log(`  ${figure.name.padEnd(18)} ${base.join(' / ')} → ${after.join(' / ')}; noise ±${(noise * 100).toFixed(1)} %; change ${pct(change)} (${verdict})`);
  });
  console.log('');
}

function runBench(cwd: string, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', script], { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${script} in ${cwd} exited with ${code}:\n${output.slice(-3000)}`))));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** (max − min) / median: how far two runs of the same code land apart. */
function spread(values: number[]): number {
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

function pct(ratio: number): string {
  return `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)} %`.replace('++', '+');
}
