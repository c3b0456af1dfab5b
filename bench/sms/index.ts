// Usage: BENCH_SMS_COUNT=5000 npx tsx bench/sms/index.ts   (npm run bench:sms; default 50 000 messages)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import smpp, { type PDU } from 'smpp';
import { z } from 'zod';
import { closeAllORMs, initORM } from '@/domain/orm.js';
import { query } from '@/domain/sql.js';
import { prepareDatabase, startTestDatabase } from '@/temporal/testing/services.js';
import { ownCpuSeconds, percentile } from '@/bench/support/stats.js';
import { ACCOUNT, WINDOW, TEXT, benchRelais, smsc, throughput, type DbRun } from './relais.js';

const Env = z.object({
  BENCH_SMS_COUNT: z.coerce.number().int().positive().default(50_000),
  BENCH_SMS_RATE: z.coerce.number().positive().default(80),
  BENCH_SMS_RATE_SECONDS: z.coerce.number().positive().default(10),
  // Sends in flight on the Relais path, as a broadcast or several workers' activities have; at most WINDOW of them
  // wait for a submit_sm_resp, the others wait for their database writes.
  BENCH_SMS_SENDERS: z.coerce.number().int().positive().default(500),
  // a and b alternate in rounds, so that both see the same machine: shared cores here run 30 % faster or slower from one
  // minute to the next, which one a-then-b pass would book as a difference between the paths.
  BENCH_SMS_ROUNDS: z.coerce.number().int().positive().default(5),
});

/** (a) The bare library: WINDOW submit_sm outstanding, receipts asked for and acknowledged like the gateway does. */
async function benchRaw(count: number, receipts: boolean): Promise<{ perSecond: number; seconds: number; cpuUs: number }> {
  const server = await smsc(false);
  const session = smpp.connect({ host: '127.0.0.1', port: server.port });
  session.on('error', (error: Error) => console.error('raw session error', error.message));
  await new Promise((resolve) => session.once('connect', resolve));
  await new Promise((resolve) => session.bind_transceiver({ system_id: ACCOUNT.systemId, password: ACCOUNT.password }, resolve));
  let delivered = 0;
  session.on('deliver_sm', (pdu: PDU) => {
    delivered++;
    session.send(pdu.response());
  });
  let next = 0;
  const cpu = ownCpuSeconds();
  const started = performance.now();
  const submit = () =>
    new Promise<PDU>((resolve) =>
      session.submit_sm(
        { source_addr: 'VILLEDEMO', source_addr_ton: 5, destination_addr: '33612345678', registered_delivery: receipts ? 1 : 0, data_coding: 0, short_message: Buffer.from(TEXT, 'latin1') },
        resolve,
      ),
    );
  await Promise.all(Array.from({ length: WINDOW }, async () => {
    while (next++ < count) await submit();
  }));
  while (receipts && delivered < count) await new Promise((resolve) => setTimeout(resolve, 2));
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = ((ownCpuSeconds() - cpu) / count) * 1e6;
  session.destroy();
  await server.stop();
  return { perSecond: count / seconds, seconds, cpuUs };
}

/**
 * (a) and (b) in alternating rounds after one warm-up of each (JIT, connections, caches), `count` messages per path in
 * all. Rates are totals over totals; each round's pair is printed so the spread is visible.
 */
async function alternate(databaseUrl: string, tenantId: string, count: number, rounds: number, senders: number) {
  const perRound = Math.ceil(count / rounds);
  await benchRaw(Math.min(perRound, 5_000), true);
  await throughput(databaseUrl, tenantId, Math.min(perRound, 5_000), senders);
  const raws: Array<Awaited<ReturnType<typeof benchRaw>>> = [];
  const runs: DbRun[] = [];
  const sizes: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const size = Math.min(perRound, count - perRound * (round - 1));
    sizes.push(size);
    const a = await benchRaw(size, true);
    const b = await throughput(databaseUrl, tenantId, size, senders);
    raws.push(a);
    runs.push(b);
    console.log(`    round ${round}: a ${a.perSecond.toFixed(0)} SMS/s, b ${b.perSecond.toFixed(0)} SMS/s, b/a ${((b.perSecond / a.perSecond) * 100).toFixed(1)} %`);
  }
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const weighted = (values: number[]) => sum(values.map((value, index) => value * sizes[index])) / count;
  const raw = { perSecond: count / sum(raws.map((run) => run.seconds)), cpuUs: weighted(raws.map((run) => run.cpuUs)) };
  const relais = {
    perSecond: count / sum(runs.map((run) => run.seconds)),
    latencies: runs.flatMap((run) => run.latencies),
    delivered: sum(runs.map((run) => run.delivered)),
    duplicates: sum(runs.map((run) => run.duplicates)),
    cpuUs: { relais: weighted(runs.map((run) => run.cpuUs.relais)), postgres: weighted(runs.map((run) => run.cpuUs.postgres)) },
  };
  return { raw, relais };
}

/** The same path held to `rate`/s: what the SMSC accepted in a `seconds` window. */
async function limited(databaseUrl: string, tenantId: string, rate: number, seconds: number): Promise<number> {
  const ctx = await benchRelais(databaseUrl, tenantId, 0, rate, true);
  const backlog = Array.from({ length: Math.ceil(rate * (seconds + 2)) }, (_, index) =>
    ctx.channel.send({ tenantId, idempotencyKey: `bench:${ctx.run}:${index}`, to: `+337${String(index).padStart(8, '0')}`, from: 'VILLEDEMO', text: `Limite ${index}` }).catch(() => undefined),
  );
  while (ctx.server.submitted.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const start = ctx.server.submitted[0].acceptedAt;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + seconds * 1000 + 200 - Date.now())));
  const inWindow = ctx.server.submitted.filter((message) => message.acceptedAt < start + seconds * 1000).length;
  await ctx.gateway.stop();
  await Promise.all(backlog);
  await ctx.server.stop();
  await ctx.store.close();
  return inWindow / seconds;
}

async function main(): Promise<void> {
  const env = Env.parse(process.env);
  const count = env.BENCH_SMS_COUNT;
  console.log(
    `SMS bench: ${count} messages of 1 segment, window ${WINDOW}, ${env.BENCH_SMS_SENDERS} sends in flight on the Relais path, ` +
      `SMSC simulator in this process on loopback, then ${env.BENCH_SMS_RATE}/s for ${env.BENCH_SMS_RATE_SECONDS} s; ` +
      `V8 flags as the worker's: ${process.execArgv.filter((arg) => arg.startsWith('--max')).join(' ') || 'none'}`,
  );
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'relais-bench-sms-'));
  await fs.chmod(dir, 0o755);
  const database = await startTestDatabase(dir);
  try {
    await prepareDatabase(database.url);
    const orm = await initORM(database.url);
    const [tenant] = await query<{ id: string }>(orm.em.fork(), "select id from tenant where slug = 'demo'");

    const bare = await benchRaw(count, false);
    console.log(`(a) raw smpp library, no receipts         : ${bare.perSecond.toFixed(0)} submit_sm/s`);
    const { raw, relais } = await alternate(database.url, tenant.id, count, env.BENCH_SMS_ROUNDS, env.BENCH_SMS_SENDERS);
    const p95Ms = percentile(relais.latencies, 95);
    console.log(`(a) raw smpp library, receipts acked      : ${raw.perSecond.toFixed(0)} SMS/s, ${raw.cpuUs.toFixed(0)} µs CPU per SMS in this process`);
    console.log(
      `(b) Relais path (DB state + correlation)  : ${relais.perSecond.toFixed(0)} SMS/s, p95 submit→receipt stored ${p95Ms.toFixed(1)} ms, ` +
        `${relais.delivered}/${count} delivered in DB, ${relais.duplicates} duplicate segments`,
    );
    console.log(`    CPU per SMS                          : ${relais.cpuUs.relais.toFixed(0)} µs this process, ${relais.cpuUs.postgres.toFixed(0)} µs PostgreSQL`);
    const ratio = relais.perSecond / raw.perSecond;
    console.log(`b/a                                      : ${(ratio * 100).toFixed(1)} % (${((relais.perSecond / bare.perSecond) * 100).toFixed(1)} % of raw without receipts)`);
    const measured = await limited(database.url, tenant.id, env.BENCH_SMS_RATE, env.BENCH_SMS_RATE_SECONDS);
    const deviation = ((measured - env.BENCH_SMS_RATE) / env.BENCH_SMS_RATE) * 100;
    console.log(`limit ${env.BENCH_SMS_RATE}/s, Relais path                : ${measured.toFixed(2)} SMS/s measured (${deviation.toFixed(2)} %)`);
    console.log(
      `summary: a ${raw.perSecond.toFixed(0)} SMS/s (bare ${bare.perSecond.toFixed(0)}), b ${relais.perSecond.toFixed(0)} SMS/s, b/a ${(ratio * 100).toFixed(1)} %, ` +
        `p95 submit→receipt ${p95Ms.toFixed(1)} ms, limit ${env.BENCH_SMS_RATE}/s held at ${measured.toFixed(2)}/s (${deviation.toFixed(2)} %)`,
    );
  } finally {
    await closeAllORMs();
    await database.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
