import net from 'node:net';
import type { temporal } from '@temporalio/proto';
import { Runtime } from '@temporalio/worker';
import { startMetricsServer, type MetricsServer } from '@/integrations/observability/metrics-server';
import { workerMetrics, type BacklogProbe } from '@/integrations/observability/worker-metrics';
import { temporalClient, type TemporalTarget } from './client';

/**
 * Installs the Temporal runtime with its Prometheus exporter and serves the worker's `/metrics` on `port`: Relais's own
 * metrics followed by the SDK's (task slots, poll latencies, schedule-to-start latencies, sticky cache), which the
 * runtime exposes on a loopback port of its own. Must run before any Temporal connection of the process.
 */
export async function installWorkerTelemetry(options: { host: string; port: number }): Promise<MetricsServer> {
  const sdkPort = await freeLoopbackPort();
  Runtime.install({
    telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkPort}`, useSecondsForDurations: true } } },
  });
  const { registry } = workerMetrics();
  return startMetricsServer({
    host: options.host,
    port: options.port,
    contentType: registry.contentType,
    collect: async () => {
      const [own, sdk] = await Promise.all([registry.metrics(), sdkMetrics(sdkPort)]);
      return `${own}\n${sdk}`;
    },
  });
}

// A scrape still gets Relais's metrics when the runtime's exporter does not answer; the comment says why the rest is missing.
async function sdkMetrics(port: number): Promise<string> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return `# Temporal SDK metrics unavailable: HTTP ${response.status}\n`;
    return await response.text();
  } catch (error) {
    return `# Temporal SDK metrics unavailable: ${(error as Error).message}\n`;
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Reads the backlog of a task queue (workflow and activity tasks) from Temporal's task queue statistics. */
export function taskQueueBacklogProbe(target: TemporalTarget, taskQueue: string): BacklogProbe {
  // TASK_QUEUE_TYPE_WORKFLOW and _ACTIVITY: the enum's values, as its module's named exports do not load under ESM.
  const types = [
    [1 as temporal.api.enums.v1.TaskQueueType, 'workflow'],
    [2 as temporal.api.enums.v1.TaskQueueType, 'activity'],
  ] as const;
  return async () => {
    const client = await temporalClient(target);
    return Promise.all(
      types.map(async ([taskQueueType, taskType]) => {
        const { stats } = await client.workflowService.describeTaskQueue({ namespace: target.namespace, taskQueue: { name: taskQueue }, taskQueueType, reportStats: true });
        const age = stats?.approximateBacklogAge;
        return { taskQueue, taskType, count: Number(stats?.approximateBacklogCount ?? 0), ageSeconds: Number(age?.seconds ?? 0) + (age?.nanos ?? 0) / 1e9 };
      }),
    );
  };
}
