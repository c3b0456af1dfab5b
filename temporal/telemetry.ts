import net from 'node:net';
import { Runtime } from '@temporalio/worker';
import { startMetricsServer, type MetricsServer } from '@/integrations/observability/metrics-server';
import { workerMetrics } from '@/integrations/observability/worker-metrics';

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
