import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { webMetrics } from './web-metrics';
import { TEMPORAL_SDK_METRICS, workerMetrics } from './worker-metrics';

const DASHBOARD = path.join(process.cwd(), 'deploy', 'grafana', 'relais.json');

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/** The metric names a PromQL expression reads: label matchers, ranges, groupings, strings and functions left out. */
export function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  // A word followed by "(" is a function; numbers never start with a letter or an underscore.
  return [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)]
    .filter((match) => !match[2] && !/\d/.test(bare[match.index - 1] ?? '') && !PROMQL_WORDS.has(match[1].toLowerCase()))
    .map((match) => match[1]);
}

/** Every series name the code registers: Relais's metrics of both process kinds, their defaults, and the SDK's. */
async function registeredNames(): Promise<Set<string>> {
  const names = new Set<string>();
  const histogram = (name: string) => [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];
  for (const registry of [webMetrics().registry, workerMetrics().registry]) {
    for (const metric of await registry.getMetricsAsJSON()) {
      for (const name of ['histogram', 'summary'].includes(String(metric.type)) ? histogram(metric.name) : [metric.name]) names.add(name);
    }
  }
  for (const name of TEMPORAL_SDK_METRICS) for (const series of histogram(name)) names.add(series);
  return names;
}

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[] };
  const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

  it('reads only metrics that the web processes and workers register', async () => {
    const known = await registeredNames();
    expect(queries.length).toBeGreaterThan(20);
    for (const { panel, expr } of queries) {
      const names = metricNamesOf(expr);
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(known.has(name), `${panel} reads ${name}, which nothing registers`).toBe(true);
    }
  });

  it('shows every metric Relais itself defines', async () => {
    const read = new Set(queries.flatMap(({ expr }) => metricNamesOf(expr)).map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    for (const registry of [webMetrics().registry, workerMetrics().registry]) {
      for (const metric of await registry.getMetricsAsJSON()) if (metric.name.startsWith('relais_')) expect(read.has(metric.name), metric.name).toBe(true);
    }
  });

  it('finds metric names in PromQL without taking functions, labels or groupings for them', () => {
    expect(metricNamesOf('histogram_quantile(0.95, sum by (le, route) (rate(relais_http_request_duration_seconds_bucket{route!="x"}[5m])))')).toEqual([
      'relais_http_request_duration_seconds_bucket',
    ]);
    expect(metricNamesOf('sum(rate(a_total[1m])) / on (job) group_left b')).toEqual(['a_total', 'b']);
  });
});
