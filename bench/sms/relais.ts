// bench:sms's Relais path, also measured by bench:broadcast in its own run to compare the campaign path with it.
import { pino } from 'pino';
import { createSmsChannel } from '@/integrations/smpp/channel.js';
import { SmppGateway } from '@/integrations/smpp/gateway.js';
import { SmsStore } from '@/integrations/smpp/store.js';
import { startSmscSimulator, type SmscSimulator } from '@/dev/smsc-simulator/simulator.js';
import { initORM } from '@/domain/orm.js';
import { query } from '@/domain/sql.js';
import { ownCpuSeconds, processCpuSeconds } from '@/bench/support/stats.js';

/** The simulator account both paths bind as. */
export const ACCOUNT = { systemId: 'bench', password: 'bench' };
/** Outstanding submit_sm for both paths: the raw lanes and the gateway window. */
export const WINDOW = 200;
/** One GSM segment. */
export const TEXT = 'Demande 2026-000123 enregistrée. Réponse au plus tard le 08/12/2026.';
let relaisRuns = 0;
/** Logs of the simulator, gateway and store: silent unless BENCH_SMS_LOG names a level. */
export const quiet = pino({ level: process.env.BENCH_SMS_LOG ?? 'silent' });

/** An in-process SMSC simulator for one run. */
export function smsc(recordSubmissions: boolean): Promise<SmscSimulator> {
  return startSmscSimulator({ accounts: [ACCOUNT], logger: quiet, recordSubmissions });
}

/** What one Relais path run measured. */
export interface DbRun {
  perSecond: number;
  seconds: number;
  latencies: number[];
  delivered: number;
  duplicates: number;
  /** CPU per SMS in microseconds: this process (gateway, store, simulator) and the PostgreSQL server. */
  cpuUs: { relais: number; postgres: number };
}

/** (b) The Relais path: the SMS channel the request activities use, with PostgreSQL state and receipt correlation. */
export async function benchRelais(databaseUrl: string, tenantId: string, count: number, rate: number, recordSubmissions: boolean) {
  const server = await smsc(recordSubmissions);
  const orm = await initORM(databaseUrl);
  const store = new SmsStore(orm, { logger: quiet });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let receipts = 0;
  const gateway = new SmppGateway({
    url: `smpp://${ACCOUNT.systemId}:${ACCOUNT.password}@127.0.0.1:${server.port}`,
    logger: quiet,
    windowSize: WINDOW,
    ratePerSecond: rate,
    responseTimeoutMs: 30_000,
    // Latency ends when the receipt is committed to the message's row, as the worker's receipt handler does.
    onDeliveryReceipt: async (receipt) => {
      await store.recordReceipt(receipt);
      receipts++;
      const t0 = receipt.messageId ? sentAt.get(receipt.messageId) : undefined;
      if (t0 !== undefined) latencies.push(performance.now() - t0);
    },
  });
  await gateway.start();
  const channel = createSmsChannel({ store, gateway });
  const run = `${Date.now().toString(36)}-${rate}-${++relaisRuns}`;
  return { server, gateway, channel, store, orm, sentAt, latencies, run, receiptCount: () => receipts, tenantId };
}

/** (b) at full speed: `count` SMS from `senders` concurrent sends, until every receipt is stored. */
export async function throughput(databaseUrl: string, tenantId: string, count: number, senders: number): Promise<DbRun> {
  const ctx = await benchRelais(databaseUrl, tenantId, count, Infinity, false);
  let next = 0;
  const cpu = { relais: ownCpuSeconds(), postgres: processCpuSeconds('postgres') };
  const started = performance.now();
  await Promise.all(Array.from({ length: senders }, async () => {
    for (let index = next++; index < count; index = next++) {
      const t0 = performance.now();
      const outcome = await ctx.channel.send({
        tenantId,
        idempotencyKey: `bench:${ctx.run}:${index}`,
        to: `+336${String(index).padStart(8, '0')}`,
        from: 'VILLEDEMO',
        text: TEXT,
      });
      for (const id of outcome.smscMessageIds) ctx.sentAt.set(id, t0);
    }
  }));
  const deadline = Date.now() + 120_000;
  while (ctx.receiptCount() < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = {
    relais: ((ownCpuSeconds() - cpu.relais) / count) * 1e6,
    postgres: ((processCpuSeconds('postgres') - cpu.postgres) / count) * 1e6,
  };
  const [row] = await query<{ delivered: string }>(
    ctx.orm.em.fork(),
    `select count(*) filter (where status = 'delivered') as delivered from sms_message where idempotency_key like ?`,
    [`bench:${ctx.run}:%`],
  );
  const duplicates = ctx.server.stats().submitted - count;
  if (process.env.BENCH_SMS_DEBUG) console.log(ctx.store.stats());
  await ctx.gateway.stop();
  await ctx.server.stop();
  await ctx.store.close();
  return { perSecond: count / seconds, seconds, latencies: ctx.latencies, delivered: Number(row.delivered), duplicates, cpuUs };
}
