import { liftDemoLimits, startStack, type Stack } from '@/temporal/testing/stack';

/** The embedded stack as `npm start` runs it (SQLite file in WAL mode), on free ports in a temp folder. */
export type BenchStack = Stack & { baseUrl: string };

/**
 * Starts database, Temporal, mail sink, `workers` worker processes and the built web app; BENCH_TEMPORAL_MEMORY=1
 * compares with the in-memory store; BENCH_TOPOLOGY=cluster runs `npm run start:cluster`'s Temporal server on
 * PostgreSQL and RELAIS_WEB_PROCESSES web processes (default 2) instead. `cpuProfileDir`: each worker writes a V8 CPU
 * profile there when it stops.
 */
export async function startBenchStack(options: { workers?: number; cpuProfileDir?: string; log?: (line: string) => void } = {}): Promise<BenchStack> {
  const log = options.log ?? ((line: string) => console.log(`[stack] ${line}`));
  const cluster = process.env.BENCH_TOPOLOGY === 'cluster';
  const stack = await startStack({
    prefix: 'relais-bench-',
    workers: options.workers ?? 1,
    ...(options.cpuProfileDir ? { workerNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] } : {}),
    sms: false,
    temporalFile: process.env.BENCH_TEMPORAL_MEMORY !== '1',
    temporalCluster: cluster,
    web: { host: '127.0.0.1', quiet: true, processes: cluster ? Number(process.env.RELAIS_WEB_PROCESSES ?? 2) : 1 },
    log,
  });
  await liftDemoLimits(stack.env.DATABASE_URL);
  log(`stack ready at ${stack.baseUrl}`);
  return { ...stack, baseUrl: stack.baseUrl! };
}
