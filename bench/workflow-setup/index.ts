import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createProbeActivities } from '@/activities/probe/probe-activities';
import { runProbeWorkflows } from '@/bench/support/probes';
import { ms, ownCpuSeconds } from '@/bench/support/stats';
import { freePort } from '@/dev/ports';
import { startTemporalDevServer } from '@/dev/temporal-dev-server';
import { ensureTemporalCli } from '@/temporal/cli';
import { closeTemporalClients, temporalClient } from '@/temporal/client';
import { PRELOADED_WORKFLOW_MODULES, bundleWorkflows } from '@/temporal/worker';

const WORKFLOWS = Number(process.env.BENCH_WORKFLOWS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARM_UP = 40;

interface Variant {
  name: string;
  bundle: WorkflowBundleWithSourceMap;
  cpuMsPerWorkflow: number[];
  workflowsPerSecond: number[];
}

/**
 * What a worker spends to run one workflow, with the shared libraries preloaded (PRELOADED_WORKFLOW_MODULES) and
 * without: every new workflow evaluates the bundle's modules, whatever its type, so the probe workflow (start, one
 * activity, complete) shows that set-up beside Temporal's own round trip. Worker and client run in this process,
 * whose CPU is measured; the variants alternate on one Temporal dev server, after a warm-up each.
 */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cli = await ensureTemporalCli();
  const server = await startTemporalDevServer({ cli, port: await freePort() });
  const client = await temporalClient({ address: server.address, namespace: 'default' });
  const connection = await NativeConnection.connect({ address: server.address });
  try {
    const variants: Variant[] = [
      { name: `preloaded (${PRELOADED_WORKFLOW_MODULES.join(', ')})`, bundle: await bundleWorkflows(), cpuMsPerWorkflow: [], workflowsPerSecond: [] },
      { name: 'each workflow evaluates every module', bundle: await bundleWorkflows({ preloadModules: [] }), cpuMsPerWorkflow: [], workflowsPerSecond: [] },
    ];
    console.log(`[bench] ${WORKFLOWS} probe workflows per round, ${CONCURRENCY} at a time, ${ROUNDS} rounds alternating the two bundles`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const variant of variants) {
        const taskQueue = `workflow-setup-${round}-${variants.indexOf(variant)}`;
        const worker = await Worker.create({ connection, taskQueue, workflowBundle: variant.bundle, activities: createProbeActivities() });
        await worker.runUntil(async () => {
          await runProbeWorkflows(client, taskQueue, CONCURRENCY, (started) => started < WARM_UP);
          const cpuBefore = ownCpuSeconds();
          const startedAt = performance.now();
          await runProbeWorkflows(client, taskQueue, CONCURRENCY, (started) => started < WORKFLOWS);
          const seconds = (performance.now() - startedAt) / 1000;
          variant.cpuMsPerWorkflow.push(((ownCpuSeconds() - cpuBefore) * 1000) / WORKFLOWS);
          variant.workflowsPerSecond.push(WORKFLOWS / seconds);
        });
        console.log(`[bench] round ${round}, ${variant.name}: ${ms(variant.cpuMsPerWorkflow.at(-1)!)} CPU per workflow, ${variant.workflowsPerSecond.at(-1)!.toFixed(1)} workflows/s`);
      }
    }
    console.log('');
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    for (const variant of variants) {
      console.log(`${variant.name.padEnd(44)} ${ms(mean(variant.cpuMsPerWorkflow))} CPU per workflow (worker and client), ${mean(variant.workflowsPerSecond).toFixed(1)} workflows/s`);
    }
    const [preloaded, plain] = variants.map((v) => mean(v.cpuMsPerWorkflow));
    console.log(`workflow-setup: preloaded ${ms(preloaded)} vs ${ms(plain)} per workflow, ${(((plain - preloaded) / plain) * 100).toFixed(0)} % less CPU`);
  } finally {
    await connection.close();
    await closeTemporalClients();
    await server.stop();
  }
}

await main();
