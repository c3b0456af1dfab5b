import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tsToMs } from '@temporalio/common/lib/time';
import type { SinkMessage } from '@/dev/mail-sink/mail-sink';
import { formatCpuSummary, monotonicMicros, summariseCpuProfiles } from '@/bench/support/cpu-profile';
import { runProbeWorkflows } from '@/bench/support/probes';
import { startBenchStack } from '@/bench/support/stack';
import { cpuPerUnit, ms, percentile, rssMiB, stackCpuSeconds } from '@/bench/support/stats';
import { closeAllORMs, initORM } from '@/domain/orm';
import { eagerActivityDispatches } from '@/temporal/testing/prometheus';
import { query } from '@/domain/sql';
import { REQUEST_TASK_QUEUE } from '@/workflows/request/definitions';
import { closeTemporalClients, temporalClient } from '@/temporal/client';

const DURATION_MS = Number(process.env.BENCH_DURATION_S ?? 30) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
// BENCH_RATE=8: requests at that rate whatever the answers (open loop) rather than from CONCURRENCY waiting citizens,
// to find the highest rate whose acknowledgements stay within a bound.
const RATE = process.env.BENCH_RATE ? Number(process.env.BENCH_RATE) : undefined;
const SAMPLE = 40;
// BENCH_PROCESS=compare: the same load on the demo's "question" topic on its own settings (requestWorkflow) and
// following the shipped "question" process (processWorkflow), alternated twice in one run: the interpreter's cost.
const COMPARE_PROCESS = process.env.BENCH_PROCESS === 'compare';
// BENCH_CPU_PROFILE=1: the workers run under V8's CPU profiler; the report adds where their CPU went while requests
// were filed and acknowledged, by area of the code and by function.
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROFILE === '1' ? fs.mkdtempSync(path.join(os.tmpdir(), 'relais-cpu-profile-')) : undefined;

interface Submission {
  email: string;
  startedAt: number;
  latencyMs: number;
  status: number;
  reference?: string;
}

/** Concurrent citizens file requests for a fixed time; reports POST latency, acknowledgement latency and where time goes. */
async function main(): Promise<void> {
  const stack = await startBenchStack({ workers: WORKERS, cpuProfileDir: CPU_PROFILE_DIR });
  let profiled: { from: number; to: number; requests: number } | undefined;
  try {
    if (COMPARE_PROCESS) return await compareProcess(stack);
    await runLoad(stack.baseUrl, 2000, 4, 'warm');
    console.log(`[bench] ${RATE ? `${RATE} requests/s` : `${CONCURRENCY} concurrent citizens`} for ${DURATION_MS / 1000} s, ${WORKERS} worker process(es)`);
    const cpuBefore = stackCpuSeconds();
    const eagerBefore = await eagerActivityDispatches(stack.temporalMetricsUrl);
    const profileFrom = monotonicMicros();
    const submissions = RATE ? await runOpenLoad(stack.baseUrl, DURATION_MS, RATE, 'run') : await runLoad(stack.baseUrl, DURATION_MS, CONCURRENCY, 'run');
    const ok = submissions.filter((s) => s.status === 201);
    const acks = await waitForAcks(stack.env.MAIL_SINK_URL, ok, 120_000);
    profiled = { from: profileFrom, to: monotonicMicros(), requests: ok.length };
    // From the first POST to the last acknowledgement: everything a filed request cost, in every process of the stack.
    console.log(`[bench] CPU per request filed and acknowledged: ${cpuPerUnit(cpuBefore, stackCpuSeconds(), ok.length)}`);
    const breakdown = await whereTimeGoes(stack.env.TEMPORAL_ADDRESS, ok.slice(Math.floor(ok.length / 2), Math.floor(ok.length / 2) + SAMPLE));
    report(submissions, acks, breakdown, stack.workers.map((w) => w.child.pid!));
    // Read after the breakdown's queries: the server publishes its counters every few seconds.
    const eager = (await eagerActivityDispatches(stack.temporalMetricsUrl)) - eagerBefore;
    console.log(`eager activities      ${eager} handed to the worker with their workflow task's reply (Temporal server's count), ${(eager / ok.length).toFixed(2)} per request`);
    // The same citizens' concurrency and time on the smallest workflow (start, one activity, complete), on this stack.
    const probes = await runProbes(stack.env.TEMPORAL_ADDRESS, DURATION_MS, CONCURRENCY);
    const requestsPerSecond = ok.length / (DURATION_MS / 1000);
    const probesPerSecond = probes / (DURATION_MS / 1000);
    console.log(`probe workflow        ${probes} started and completed in ${DURATION_MS / 1000} s → ${probesPerSecond.toFixed(1)} workflows/s`);
    console.log(`efficiency            ${requestsPerSecond.toFixed(1)} requests/s ÷ ${probesPerSecond.toFixed(1)} probe workflows/s = ${(requestsPerSecond / probesPerSecond).toFixed(2)}`);
  } finally {
    await closeTemporalClients();
    await stack.stop();
  }
  // The workers write their profiles as they stop.
  if (CPU_PROFILE_DIR && profiled) {
    console.log(`\nworker CPU profile, from the first POST to the last acknowledgement (${CPU_PROFILE_DIR}):`);
    for (const line of formatCpuSummary(summariseCpuProfiles(CPU_PROFILE_DIR, profiled.from, profiled.to), profiled.requests)) console.log(line);
  }
}

interface Phase {
  name: string;
  filed: number;
  acknowledged: number;
  ackLatencies: number[];
  postLatencies: number[];
}

async function compareProcess(stack: Awaited<ReturnType<typeof startBenchStack>>): Promise<void> {
  const orm = await initORM(stack.env.DATABASE_URL);
  // Raw SQL in the bench: switching the demo topic between its own settings and the shipped process.
  const follow = (process: string | null) =>
    query(orm.em.fork(), "update topic set process = ? where slug = 'question' and tenant_id = (select id from tenant where slug = 'demo')", [process]);
  const phases: Phase[] = [];
  const modes = [['topic settings (requestWorkflow)', null], ['question process (processWorkflow)', 'question']] as const;
  try {
    for (const [, process] of modes) {
      await follow(process);
      await runLoad(stack.baseUrl, 2000, 4, `warm-${process ?? 'topic'}`);
    }
    console.log(`[bench] ${CONCURRENCY} concurrent citizens, ${DURATION_MS / 1000} s per phase, phases alternated twice, ${WORKERS} worker process(es)`);
    for (let round = 1; round <= 2; round += 1) {
      for (const [name, process] of modes) {
        await follow(process);
        const submissions = await runLoad(stack.baseUrl, DURATION_MS, CONCURRENCY, `r${round}-${process ?? 'topic'}`);
        const ok = submissions.filter((s) => s.status === 201);
        const acks = await waitForAcks(stack.env.MAIL_SINK_URL, ok, 180_000);
        const phase = { name, filed: ok.length, acknowledged: acks.size, ackLatencies: [...acks.values()], postLatencies: ok.map((s) => s.latencyMs) };
        console.log(`[bench] round ${round}, ${name}: ${(phase.filed / (DURATION_MS / 1000)).toFixed(1)} req/s, ack p95 ${ms(percentile(phase.ackLatencies, 95))}, ${phase.acknowledged}/${phase.filed} acknowledged`);
        phases.push(phase);
      }
    }
  } finally {
    await follow(null);
    await closeAllORMs();
  }
  console.log('');
  const totals = new Map<string, Phase>();
  for (const p of phases) {
    const t = totals.get(p.name) ?? { name: p.name, filed: 0, acknowledged: 0, ackLatencies: [], postLatencies: [] };
    totals.set(p.name, { ...t, filed: t.filed + p.filed, acknowledged: t.acknowledged + p.acknowledged, ackLatencies: [...t.ackLatencies, ...p.ackLatencies], postLatencies: [...t.postLatencies, ...p.postLatencies] });
  }
  const rates = [...totals.values()].map((t) => {
    const rate = t.filed / ((2 * DURATION_MS) / 1000);
    console.log(`${t.name.padEnd(36)} ${rate.toFixed(1)} req/s  POST p95 ${ms(percentile(t.postLatencies, 95))}  ack p95 ${ms(percentile(t.ackLatencies, 95))}  ${t.acknowledged}/${t.filed} acknowledged`);
    return rate;
  });
  console.log(`process interpreter: ${((rates[1] / rates[0]) * 100).toFixed(1)} % of the topic-settings throughput (${(((rates[0] - rates[1]) / rates[0]) * 100).toFixed(1)} % cost)`);
}

async function fileOne(baseUrl: string, email: string): Promise<Submission> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const response = await fetch(`${baseUrl}/api/v1/t/demo/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic: 'question', subject: 'Question de test de charge', message: 'Bonjour, ceci est une question.', contact: { email } }),
  });
  const body = (await response.json()) as { reference?: string };
  return { email, startedAt, latencyMs: performance.now() - t0, status: response.status, reference: body.reference };
}

async function runLoad(baseUrl: string, durationMs: number, concurrency: number, tag: string): Promise<Submission[]> {
  const results: Submission[] = [];
  const end = Date.now() + durationMs;
  let counter = 0;
  const citizen = async () => {
    while (Date.now() < end) results.push(await fileOne(baseUrl, `${tag}-${process.pid}-${counter++}@bench.test`));
  };
  await Promise.all(Array.from({ length: concurrency }, citizen));
  return results;
}

/** One request every 1/rate s for the duration, each sent on time whether or not the earlier ones were answered. */
async function runOpenLoad(baseUrl: string, durationMs: number, rate: number, tag: string): Promise<Submission[]> {
  const count = Math.round((durationMs / 1000) * rate);
  const started = performance.now();
  const sends: Array<Promise<Submission>> = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(fileOne(baseUrl, `${tag}-${process.pid}-${i}@bench.test`));
  }
  return Promise.all(sends);
}

/** Probe workflows from `concurrency` clients for the duration; returns how many completed. */
async function runProbes(address: string, durationMs: number, concurrency: number): Promise<number> {
  const end = Date.now() + durationMs;
  return runProbeWorkflows(await benchClient(address), REQUEST_TASK_QUEUE, concurrency, () => Date.now() < end);
}

async function waitForAcks(sinkUrl: string, submissions: Submission[], timeoutMs: number): Promise<Map<string, number>> {
  const wanted = new Map(submissions.map((s) => [s.email, s.startedAt]));
  const acks = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  while (acks.size < wanted.size && Date.now() < deadline) {
    const messages = (await (await fetch(`${sinkUrl}/messages`)).json()) as SinkMessage[];
    for (const m of messages) {
      const to = m.envelopeTo[0];
      const started = wanted.get(to);
      if (started !== undefined && m.subject?.includes('a bien été reçue')) acks.set(to, Date.parse(m.receivedAt) - started);
    }
    if (acks.size < wanted.size) await new Promise((r) => setTimeout(r, 500));
  }
  return acks;
}

interface Breakdown {
  intakeToStart: number[];
  firstTaskWait: number[];
  activities: Map<string, { wait: number[]; run: number[] }>;
}

async function whereTimeGoes(address: string, sample: Submission[]): Promise<Breakdown> {
  const client = await benchClient(address);
  const result: Breakdown = { intakeToStart: [], firstTaskWait: [], activities: new Map() };
  for (const s of sample) {
    const history = await client.workflow.getHandle(`request:demo:${s.reference}`).fetchHistory();
    const events = history.events ?? [];
    const at = (i: number) => tsToMs(events[i].eventTime!);
    result.intakeToStart.push(at(0) - s.startedAt);
    const firstTask = events.findIndex((e) => e.workflowTaskStartedEventAttributes);
    result.firstTaskWait.push(at(firstTask) - at(0));
    const scheduled = new Map<number, { name: string; at: number; startedAt?: number }>();
    events.forEach((e, i) => {
      const id = Number(e.eventId);
      if (e.activityTaskScheduledEventAttributes) scheduled.set(id, { name: e.activityTaskScheduledEventAttributes.activityType!.name!, at: at(i) });
      if (e.activityTaskStartedEventAttributes) scheduled.get(Number(e.activityTaskStartedEventAttributes.scheduledEventId))!.startedAt = at(i);
      if (e.activityTaskCompletedEventAttributes) {
        const a = scheduled.get(Number(e.activityTaskCompletedEventAttributes.scheduledEventId))!;
        const key = [...scheduled.values()].filter((x) => x.name === a.name).indexOf(a) === 0 ? a.name : `${a.name} (again)`;
        const entry = result.activities.get(key) ?? { wait: [], run: [] };
        // The dev server records the started event when the activity completes, so split by the scheduled time only.
        entry.wait.push((a.startedAt ?? at(i)) - a.at);
        entry.run.push(at(i) - (a.startedAt ?? at(i)));
        result.activities.set(key, entry);
      }
    });
  }
  return result;
}

/** The stack's Temporal, through the one client per address this process keeps (closed with the stack). */
function benchClient(address: string) {
  return temporalClient({ address, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
}

function report(submissions: Submission[], acks: Map<string, number>, breakdown: Breakdown, workerPids: number[]): void {
  const ok = submissions.filter((s) => s.status === 201);
  const latencies = ok.map((s) => s.latencyMs);
  const ackLatencies = [...acks.values()];
  const rate = ok.length / (DURATION_MS / 1000);
  const statuses = Object.entries(submissions.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s.status]: (acc[s.status] ?? 0) + 1 }), {}));
  console.log('');
  console.log(`requests filed        ${ok.length} in ${DURATION_MS / 1000} s → ${rate.toFixed(1)} requests/s (statuses ${statuses.map(([k, v]) => `${k}×${v}`).join(', ')})`);
  console.log(`POST latency          p50 ${ms(percentile(latencies, 50))}  p95 ${ms(percentile(latencies, 95))}  p99 ${ms(percentile(latencies, 99))}`);
  console.log(`acknowledgement       ${acks.size}/${ok.length} in the sink; POST start → sink p50 ${ms(percentile(ackLatencies, 50))}  p95 ${ms(percentile(ackLatencies, 95))}`);
  console.log(`where time goes (median over ${breakdown.intakeToStart.length} requests):`);
  console.log(`  POST start → workflow started (validation, database, start call)  ${ms(percentile(breakdown.intakeToStart, 50))}`);
  console.log(`  workflow started → first workflow task picked up                  ${ms(percentile(breakdown.firstTaskWait, 50))}`);
  for (const [name, { wait, run }] of breakdown.activities) {
    console.log(`  ${name.padEnd(28)} scheduled → done ${ms(percentile(wait.map((w, i) => w + run[i]), 50))}`);
  }
  const memory = workerPids.map((pid) => `${pid}: ${rssOf(pid)} MiB`).join(', ');
  console.log(`memory                bench ${rssMiB()} MiB; worker(s) ${memory}`);
  console.log(
    `intake: ${rate.toFixed(1)} req/s, POST p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}, ack p95 ${ms(percentile(ackLatencies, 95))}, ${acks.size}/${ok.length} acknowledged`,
  );
}

function rssOf(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
  } catch {
    return Number.NaN;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
