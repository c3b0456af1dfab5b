// Usage: BENCH_BROADCAST_COUNT=5000 npm run bench:broadcast   (default 100 000 recipients)
import os from 'node:os';
import { z } from 'zod';
import { throughput } from '@/bench/sms/relais';
import { percentile } from '@/bench/support/stats';
import type { SubmittedMessage } from '@/dev/smsc-simulator/simulator';
import { resetEnv } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { approvedCampaign, campaignTenant, rateAtSmsc, seedSmsSubscribers, startCampaign } from '@/temporal/testing/campaigns';
import { closeTemporalClients } from '@/temporal/client';
import { startWorkerProcess } from '@/temporal/testing/services';
import { startStack } from '@/temporal/testing/stack';
import { REQUEST_TASK_QUEUE } from '@/workflows/request/definitions';

const Env = z.object({
  BENCH_BROADCAST_COUNT: z.coerce.number().int().positive().default(100_000),
  BENCH_BROADCAST_RATE: z.coerce.number().positive().default(80),
  BENCH_BROADCAST_RATE_SECONDS: z.coerce.number().positive().default(60),
  BENCH_BROADCAST_WORKERS: z.coerce.number().int().positive().default(2),
  // The SMSC window of the unlimited run's worker: bench:sms's Relais path keeps 200 submit_sm outstanding.
  BENCH_BROADCAST_WINDOW: z.coerce.number().int().positive().default(200),
  // bench:sms's Relais path, run before and after the campaign in this process, as its own bench runs it.
  BENCH_BROADCAST_SMS_COUNT: z.coerce.number().int().positive().default(20_000),
  BENCH_BROADCAST_SMS_SENDERS: z.coerce.number().int().positive().default(500),
});

/** The load average, for reading a figure measured on shared cores. */
const load = () => `load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;

/** The simulator's accepted submissions since `from` (ms), for the numbers of a run. */
async function accepted(controlUrl: string, phones: ReadonlySet<string>): Promise<SubmittedMessage[]> {
  const response = await fetch(`${controlUrl}/messages?limit=${Number.MAX_SAFE_INTEGER}`);
  return ((await response.json()) as SubmittedMessage[]).filter((m) => phones.has(m.to));
}

async function main(): Promise<void> {
  const env = Env.parse(process.env);
  const stack = await startStack({ prefix: 'relais-bench-', workers: 0, temporalFile: true, log: (line) => console.log(`[stack] ${line}`) });
  // The test helpers below read the stack's variables, which startStack has just set.
  resetEnv();
  const workers: Array<{ stop(): Promise<void> }> = [];
  const startWorkers = async (count: number, params: string) => {
    for (let i = 0; i < count; i++) {
      const { RELAIS_INBOUND_SMTP_PORT: _listener, ...workerEnv } = stack.env;
      workers.push(await startWorkerProcess({ ...workerEnv, SMPP_URL: `${stack.env.SMPP_URL}?${params}`, TEMPORAL_TASK_QUEUE: REQUEST_TASK_QUEUE }));
    }
  };
  const stopWorkers = async () => {
    for (const worker of workers.splice(0)) await worker.stop();
  };
  const db = async () => (await initORM(stack.env.DATABASE_URL)).em.fork();
  try {
    // (1) No rate limit, one worker: what the campaign path adds to the SMS path (batches, opt-out check, bookkeeping).
    // Both texts are single GSM segments, so an SMS is one submit_sm.
    await startWorkers(1, `rate=Infinity&window=${env.BENCH_BROADCAST_WINDOW}`);
    const free = await campaignTenant();
    const [{ id: freeTenantId }] = await query<{ id: string }>(await db(), 'select id from tenant where slug = ?', [free.slug]);
    const smsPath = async (label: string) => {
      const run = await throughput(stack.env.DATABASE_URL, freeTenantId, env.BENCH_BROADCAST_SMS_COUNT, env.BENCH_BROADCAST_SMS_SENDERS);
      console.log(`bench:sms Relais path, ${label.padEnd(6)}  : ${run.perSecond.toFixed(0)} SMS/s over ${env.BENCH_BROADCAST_SMS_COUNT}, p95 submit→receipt stored ${percentile(run.latencies, 95).toFixed(1)} ms (${load()})`);
      return run;
    };
    // A warm-up of the path (JIT, connections), then a run before and one after the campaign: the shared cores' speed
    // moves from one minute to the next, and the two runs frame the campaign's.
    await throughput(stack.env.DATABASE_URL, freeTenantId, Math.min(5_000, env.BENCH_BROADCAST_SMS_COUNT), env.BENCH_BROADCAST_SMS_SENDERS);
    const before = await smsPath('before');
    const phones = await seedSmsSubscribers(free.slug, 'alertes', env.BENCH_BROADCAST_COUNT);
    const input = await approvedCampaign(free, { body: 'Alerte : orages violents cette nuit, restez chez vous.' });
    console.log(`campaign starts (${load()})`);
    const started = performance.now();
    await (await startCampaign(input)).result();
    const seconds = (performance.now() - started) / 1000;
    // Sending: from the first SMS claimed to the last receipt stored, as the Relais path is timed from its first send to
    // its last receipt; start to summary adds the recipient snapshot and the summary.
    const [lag] = await query<{ p50: number; p95: number; delivered: string; sending_s: number }>(
      await db(),
      `select percentile_cont(0.5) within group (order by extract(epoch from done_at - submitted_at) * 1000) as p50,
              percentile_cont(0.95) within group (order by extract(epoch from done_at - submitted_at) * 1000) as p95,
              count(*) filter (where status = 'delivered') as delivered,
              extract(epoch from max(done_at) - min(created_at)) as sending_s
         from sms_message where idempotency_key like ?`,
      [`campaign:${input.campaignId}:%`],
    );
    const sendingSeconds = Number(lag.sending_s);
    const atSmsc = await accepted(stack.env.SMSC_CONTROL_URL, new Set(phones));
    console.log(`campaign, no rate limit, 1 worker : ${env.BENCH_BROADCAST_COUNT} recipients in ${seconds.toFixed(1)} s = ${(env.BENCH_BROADCAST_COUNT / seconds).toFixed(0)} SMS/s (start to summary)`);
    console.log(`  sending                          : ${sendingSeconds.toFixed(1)} s from the first SMS claimed to the last receipt stored = ${(env.BENCH_BROADCAST_COUNT / sendingSeconds).toFixed(0)} SMS/s`);
    console.log(`  at the simulator                 : ${atSmsc.length} submit_sm accepted; submit→receipt stored p50 ${Number(lag.p50).toFixed(1)} ms, p95 ${Number(lag.p95).toFixed(1)} ms; ${lag.delivered} delivered (${load()})`);
    const after = await smsPath('after');
    const smsPerSecond = (2 * env.BENCH_BROADCAST_SMS_COUNT) / (before.seconds + after.seconds);
    const ratio = (perSecond: number) => `${perSecond.toFixed(0)} / ${smsPerSecond.toFixed(0)} SMS/s = ${((perSecond / smsPerSecond) * 100).toFixed(1)} %`;
    console.log(`campaign / bench:sms Relais path  : sending ${ratio(env.BENCH_BROADCAST_COUNT / sendingSeconds)} (target ≥ 80 %); start to summary ${ratio(env.BENCH_BROADCAST_COUNT / seconds)}`);
    await stopWorkers();

    // (2) The account's rate with several workers, measured at the simulator over a window after the start.
    await startWorkers(env.BENCH_BROADCAST_WORKERS, `rate=${env.BENCH_BROADCAST_RATE}`);
    const limited = await campaignTenant();
    const count = Math.ceil(env.BENCH_BROADCAST_RATE * (env.BENCH_BROADCAST_RATE_SECONDS + 10));
    const limitedPhones = new Set(await seedSmsSubscribers(limited.slug, 'alertes', count));
    const limitedInput = await approvedCampaign(limited, { body: 'Conseil municipal jeudi à 20 h, salle du conseil.' });
    await (await startCampaign(limitedInput)).result();
    const times = (await accepted(stack.env.SMSC_CONTROL_URL, limitedPhones)).map((m) => m.acceptedAt);
    // The first seconds hold the bucket's burst and the workers' first batches; the window ends before the last batch.
    const rate = rateAtSmsc(times, { skipSeconds: 5, seconds: env.BENCH_BROADCAST_RATE_SECONDS });
    console.log(
      `campaign, rate ${env.BENCH_BROADCAST_RATE}/s, ${env.BENCH_BROADCAST_WORKERS} workers : ${rate.perSecond.toFixed(2)} submit_sm/s over ${env.BENCH_BROADCAST_RATE_SECONDS} s at the simulator ` +
        `(${(((rate.perSecond - env.BENCH_BROADCAST_RATE) / env.BENCH_BROADCAST_RATE) * 100).toFixed(2)} %${rate.coversWindow ? '' : ', campaign ended inside the window'}), ` +
        `at most ${rate.maxInOneSecond} in one second, ${times.length} submit_sm for ${count} SMS (${load()})`,
    );
  } finally {
    await stopWorkers();
    await closeTemporalClients();
    await closeAllORMs();
    await stack.stop();
  }
}

await main();
