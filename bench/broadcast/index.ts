// Usage: BENCH_BROADCAST_COUNT=5000 npm run bench:broadcast   (default 100 000 recipients)
import { z } from 'zod';
import type { SubmittedMessage } from '@/dev/smsc-simulator/simulator';
import { resetEnv } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { approvedCampaign, campaignTenant, seedSmsSubscribers, startCampaign } from '@/temporal/testing/campaigns';
import { closeTemporalClients } from '@/temporal/client';
import { startWorkerProcess } from '@/temporal/testing/services';
import { startStack } from '@/temporal/testing/stack';
import { REQUEST_TASK_QUEUE } from '@/workflows/request/definitions';

const Env = z.object({
  BENCH_BROADCAST_COUNT: z.coerce.number().int().positive().default(100_000),
  BENCH_BROADCAST_RATE: z.coerce.number().positive().default(80),
  BENCH_BROADCAST_RATE_SECONDS: z.coerce.number().positive().default(60),
  BENCH_BROADCAST_WORKERS: z.coerce.number().int().positive().default(2),
});

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
  const startWorkers = async (count: number, rate: string) => {
    for (let i = 0; i < count; i++) {
      const { RELAIS_INBOUND_SMTP_PORT: _listener, ...workerEnv } = stack.env;
      workers.push(await startWorkerProcess({ ...workerEnv, SMPP_URL: `${stack.env.SMPP_URL}?rate=${rate}`, TEMPORAL_TASK_QUEUE: REQUEST_TASK_QUEUE }));
    }
  };
  const stopWorkers = async () => {
    for (const worker of workers.splice(0)) await worker.stop();
  };
  const db = async () => (await initORM(stack.env.DATABASE_URL)).em.fork();
  try {
    // (1) No rate limit, one worker: what the campaign path adds to the SMS path (batches, opt-out check, bookkeeping).
    // Both texts are single GSM segments, so an SMS is one submit_sm.
    await startWorkers(1, 'Infinity');
    const free = await campaignTenant();
    const phones = await seedSmsSubscribers(free.slug, 'alertes', env.BENCH_BROADCAST_COUNT);
    const input = await approvedCampaign(free, { body: 'Alerte : orages violents cette nuit, restez chez vous.' });
    const started = performance.now();
    await (await startCampaign(input)).result();
    const seconds = (performance.now() - started) / 1000;
    const [lag] = await query<{ p50: number; p95: number; delivered: string }>(
      await db(),
      `select percentile_cont(0.5) within group (order by extract(epoch from done_at - submitted_at) * 1000) as p50,
              percentile_cont(0.95) within group (order by extract(epoch from done_at - submitted_at) * 1000) as p95,
              count(*) filter (where status = 'delivered') as delivered
         from sms_message where idempotency_key like ?`,
      [`campaign:${input.campaignId}:%`],
    );
    const atSmsc = await accepted(stack.env.SMSC_CONTROL_URL, new Set(phones));
    console.log(`campaign, no rate limit, 1 worker : ${env.BENCH_BROADCAST_COUNT} recipients in ${seconds.toFixed(1)} s = ${(env.BENCH_BROADCAST_COUNT / seconds).toFixed(0)} SMS/s (start to summary)`);
    console.log(`  at the simulator                 : ${atSmsc.length} submit_sm accepted; submit→receipt stored p50 ${Number(lag.p50).toFixed(1)} ms, p95 ${Number(lag.p95).toFixed(1)} ms; ${lag.delivered} delivered`);
    await stopWorkers();

    // (2) The account's rate with several workers, measured at the simulator over a window after the start.
    await startWorkers(env.BENCH_BROADCAST_WORKERS, String(env.BENCH_BROADCAST_RATE));
    const limited = await campaignTenant();
    const count = Math.ceil(env.BENCH_BROADCAST_RATE * (env.BENCH_BROADCAST_RATE_SECONDS + 10));
    const limitedPhones = new Set(await seedSmsSubscribers(limited.slug, 'alertes', count));
    const limitedInput = await approvedCampaign(limited, { body: 'Conseil municipal jeudi à 20 h, salle du conseil.' });
    await (await startCampaign(limitedInput)).result();
    const times = (await accepted(stack.env.SMSC_CONTROL_URL, limitedPhones)).map((m) => m.acceptedAt).sort((a, b) => a - b);
    // The first seconds hold the bucket's burst; the window starts after them and ends before the last batch.
    const from = times[0] + 5_000;
    const to = from + env.BENCH_BROADCAST_RATE_SECONDS * 1000;
    const inWindow = times.filter((t) => t >= from && t < to).length;
    const measured = inWindow / env.BENCH_BROADCAST_RATE_SECONDS;
    console.log(
      `campaign, rate ${env.BENCH_BROADCAST_RATE}/s, ${env.BENCH_BROADCAST_WORKERS} workers : ${measured.toFixed(2)} submit_sm/s over ${env.BENCH_BROADCAST_RATE_SECONDS} s at the simulator ` +
        `(${(((measured - env.BENCH_BROADCAST_RATE) / env.BENCH_BROADCAST_RATE) * 100).toFixed(2)} %), ${times.length} submit_sm for ${count} SMS`,
    );
  } finally {
    await stopWorkers();
    await closeTemporalClients();
    await closeAllORMs();
    await stack.stop();
  }
}

await main();
