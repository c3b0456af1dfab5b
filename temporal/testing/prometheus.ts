/**
 * The sum of one series' samples in a Prometheus text exposition whose labels include `labels`, 0 when absent (a
 * histogram's `_count` by that name). Hand-written: parse-prometheus-text-format, the parser on npm, drops a
 * histogram's labels, count and sum.
 */
export function metricTotal(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) total += Number(match[4]);
  }
  return total;
}

/** The Temporal server's count of activities it handed to a worker with its workflow task's reply (eager dispatch). */
export async function eagerActivityDispatches(metricsUrl: string): Promise<number> {
  const response = await fetch(metricsUrl);
  if (!response.ok) throw new Error(`${metricsUrl} answered ${response.status}`);
  return metricTotal(await response.text(), 'activity_eager_execution');
}
