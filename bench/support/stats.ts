import fs from 'node:fs';

/** The p-th percentile (0–100) of a list of numbers, nearest-rank; NaN for an empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Formats milliseconds for a report line. */
export function ms(value: number): string {
  return Number.isNaN(value) ? 'n/a' : `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

/** Resident memory of this process in MiB. */
export function rssMiB(): number {
  return Math.round(process.memoryUsage().rss / 1024 / 1024);
}

const CLOCK_TICKS_PER_SECOND = 100;

/** One process as /proc/<pid>/stat gives it: its command name, parent, and CPU ticks (own, and reaped children's). */
interface ProcessStat {
  pid: number;
  command: string;
  parent: number;
  ticks: number;
  childTicks: number;
}

/** Every process of the machine (Linux /proc; none elsewhere). */
function processStats(): ProcessStat[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  const stats: ProcessStat[] = [];
  for (const entry of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      // After the command name: state, ppid, … utime (14th field of the file), stime, cutime, cstime.
      const fields = stat.slice(close + 2).split(' ');
      stats.push({
        pid: Number(entry),
        command: stat.slice(stat.indexOf('(') + 1, close),
        parent: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
        childTicks: Number(fields[13]) + Number(fields[14]),
      });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return stats;
}

/** CPU seconds used so far by every process with this command name (Linux /proc; 0 elsewhere), e.g. the PostgreSQL backends. */
export function processCpuSeconds(command: string): number {
  return processStats().reduce((sum, p) => (p.command === command ? sum + p.ticks : sum), 0) / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds used so far by this process, all threads. */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** The parts of a bench stack whose CPU is counted apart. */
export type StackPart = 'web' | 'worker' | 'Temporal' | 'PostgreSQL' | 'Chromium (PDF)' | 'bench and simulators' | 'other';

/**
 * CPU seconds used so far by this process ('bench and simulators', which run in it) and each of its descendants,
 * summed by part of the stack (Linux /proc; empty elsewhere). Only this bench's own processes count, whatever else
 * the machine runs; children already reaped count through their parent's cutime/cstime.
 */
export function stackCpuSeconds(): Partial<Record<StackPart, number>> {
  const processes = new Map(processStats().map((p) => [p.pid, p]));
  const sums: Partial<Record<StackPart, number>> = {};
  for (const p of processes.values()) {
    if (p.pid !== process.pid && !descendsFrom(p.pid, process.pid, processes)) continue;
    const part: StackPart = p.pid === process.pid ? 'bench and simulators' : partOf(p);
    sums[part] = (sums[part] ?? 0) + (p.ticks + p.childTicks) / CLOCK_TICKS_PER_SECOND;
  }
  return sums;
}

function partOf({ pid, command }: ProcessStat): StackPart {
  if (command === 'postgres') return 'PostgreSQL';
  if (command === 'temporal') return 'Temporal';
  if (command.startsWith('chrom')) return 'Chromium (PDF)';
  // The cluster topology's server is a binary named `server` in the Temporal server's build folder.
  if (command === 'server' && readOr(`/proc/${pid}/cmdline`, '').includes('temporal-server')) return 'Temporal';
  if (command !== 'node') return 'other';
  const commandLine = readOr(`/proc/${pid}/cmdline`, '');
  if (commandLine.includes('web-server')) return 'web';
  if (commandLine.includes('worker')) return 'worker';
  return 'other';
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function descendsFrom(pid: number, ancestor: number, processes: Map<number, { parent: number }>): boolean {
  for (let current = processes.get(pid)?.parent; current !== undefined && current > 1; current = processes.get(current)?.parent) {
    if (current === ancestor) return true;
  }
  return false;
}

/** Milliseconds of CPU per unit of work, by part, between two readings of stackCpuSeconds: "web 120 ms, worker 300 ms, …". */
export function cpuPerUnit(before: Partial<Record<StackPart, number>>, after: Partial<Record<StackPart, number>>, units: number): string {
  const parts = Object.keys(after) as StackPart[];
  const used = parts.map((part) => [part, ((after[part] ?? 0) - (before[part] ?? 0)) * 1000] as const).filter(([, value]) => value > 0);
  const total = used.reduce((sum, [, value]) => sum + value, 0);
  return [...used.sort((a, b) => b[1] - a[1]).map(([part, value]) => `${part} ${(value / units).toFixed(0)} ms`), `total ${(total / units).toFixed(0)} ms`].join(', ');
}
