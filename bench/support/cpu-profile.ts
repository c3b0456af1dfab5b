import fs from 'node:fs';
import path from 'node:path';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that a summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Microseconds of the monotonic clock V8's profiler stamps its samples with (CLOCK_MONOTONIC, as process.hrtime). */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Sampled CPU time of one or more profiles within a window, by area of the code and by function. */
export interface CpuSummary {
  sampledMs: number;
  byArea: Array<[string, number]>;
  byFunction: Array<[string, number]>;
}

/**
 * Self time of every sample taken between `from` and `to` (monotonic µs) in the profiles of `dir`, summed by area (an
 * npm package, a folder of this repository, or V8's own entries such as garbage collection) and by function.
 * Written here rather than taken from a viewer: the bench prints figures, and only its measured window must count.
 */
export function summariseCpuProfiles(dir: string, from: number, to: number, top = 12): CpuSummary {
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let sampledMs = 0;
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    let at = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      at += profile.timeDeltas[i];
      // A sample's own delta is the time since the one before: the time it stands for.
      const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      const frame = nodes.get(profile.samples[i])!;
      if (at < from || at > to || frame.functionName === '(idle)') continue;
      sampledMs += ms;
      add(byArea, areaOf(frame.url, frame.functionName), ms);
      add(byFunction, `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`, ms);
    }
  }
  const largest = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { sampledMs, byArea: largest(byArea), byFunction: largest(byFunction) };
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/** An npm package (`@temporalio/worker`), a folder of the repository (`domain`), `node:` internals, or V8's own entry. */
function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node: internals';
  const relative = url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
  return relative.includes('/') && !relative.startsWith('/') ? relative.split('/')[0] : relative;
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '').replace(`${process.cwd()}/`, '');
}

/** Report lines: "area 123 ms (12 %)". */
export function formatCpuSummary(summary: CpuSummary, units: number): string[] {
  const line = ([name, ms]: [string, number]) =>
    `  ${(ms / units).toFixed(1).padStart(6)} ms/request  ${((100 * ms) / summary.sampledMs).toFixed(1).padStart(5)} %  ${name}`;
  return [
    `sampled on the JavaScript threads: ${(summary.sampledMs / units).toFixed(1)} ms per request`,
    'by area:',
    ...summary.byArea.map(line),
    'by function (self time):',
    ...summary.byFunction.map(line),
  ];
}
