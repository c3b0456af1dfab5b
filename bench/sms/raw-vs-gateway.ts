// Usage: BENCH_SMS_COUNT=5000 npx tsx bench/sms/raw-vs-gateway.ts
import { pino } from 'pino';
import smpp, { type PDU, type Session } from 'smpp';
import { z } from 'zod';
import { SmppGateway } from '../../activities/sms/gateway.js';
import { startSmscSimulator, type SmscSimulator } from '../../dev/smsc-simulator/simulator.js';

const Env = z.object({
  BENCH_SMS_COUNT: z.coerce.number().int().positive().default(50_000),
  BENCH_SMS_RATE: z.coerce.number().positive().default(80),
  BENCH_SMS_RATE_SECONDS: z.coerce.number().positive().default(10),
});

const ACCOUNT = { systemId: 'bench', password: 'bench' };
const RAW_WINDOW = 200;
const quiet = pino({ level: 'silent' });

/** Figures of one bench run. */
interface BenchResult {
  rawPerSecond: number;
  gatewayPerSecond: number;
  p95ReceiptMs: number;
  limitedRate: number;
  deviationPercent: number;
}

function smsc(recordSubmissions: boolean): Promise<SmscSimulator> {
  return startSmscSimulator({ accounts: [ACCOUNT], logger: quiet, recordSubmissions });
}

function submitRaw(session: Session): Promise<PDU> {
  return new Promise((resolve) =>
    session.submit_sm({ source_addr: 'MAIRIE', destination_addr: '33612345678', data_coding: 0, short_message: Buffer.from('Bench') }, resolve),
  );
}

/** The bare library: bind, then keep RAW_WINDOW submit_sm outstanding until `count` are answered. */
async function benchRaw(count: number): Promise<number> {
  const server = await smsc(false);
  const session = smpp.connect({ host: '127.0.0.1', port: server.port });
  session.on('error', (error: Error) => console.error('raw session error', error.message));
  await new Promise((resolve) => session.once('connect', resolve));
  await new Promise((resolve) => session.bind_transceiver({ system_id: ACCOUNT.systemId, password: ACCOUNT.password }, resolve));
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next++ < count) await submitRaw(session);
  };
  await Promise.all(Array.from({ length: RAW_WINDOW }, lane));
  const seconds = (performance.now() - started) / 1000;
  session.destroy();
  await server.stop();
  return count / seconds;
}

function gatewayFor(server: SmscSimulator, ratePerSecond: number, onReceipt?: (messageId: string) => void): SmppGateway {
  return new SmppGateway({
    url: `smpp://${ACCOUNT.systemId}:${ACCOUNT.password}@127.0.0.1:${server.port}`,
    logger: quiet,
    windowSize: RAW_WINDOW,
    ratePerSecond,
    responseTimeoutMs: 30_000,
    onDeliveryReceipt: (receipt) => onReceipt?.(receipt.messageId ?? ''),
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** The gateway without database or rate limit: throughput and submit-to-receipt latency. */
async function benchGateway(count: number): Promise<{ perSecond: number; p95Ms: number }> {
  const server = await smsc(false);
  const receivedAt = new Map<string, number>();
  const gateway = gatewayFor(server, Infinity, (messageId) => receivedAt.set(messageId, performance.now()));
  await gateway.start();
  const sentAt = new Map<string, number>();
  let next = 0;
  const started = performance.now();
  // As many callers as window slots, so latency measures the link rather than a caller-side queue.
  const lane = async () => {
    while (next++ < count) {
      const t0 = performance.now();
      const { messageIds } = await gateway.submit({ from: 'MAIRIE', to: '+33612345678', text: 'Votre demande a été reçue', registeredDelivery: true });
      sentAt.set(messageIds[0], t0);
    }
  };
  await Promise.all(Array.from({ length: RAW_WINDOW }, lane));
  const seconds = (performance.now() - started) / 1000;
  const deadline = Date.now() + 30_000;
  while (receivedAt.size < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const latencies = [...sentAt].flatMap(([id, t0]) => (receivedAt.has(id) ? [(receivedAt.get(id) as number) - t0] : []));
  if (latencies.length < count) console.warn(`only ${latencies.length}/${count} receipts arrived`);
  await gateway.stop();
  await server.stop();
  return { perSecond: count / seconds, p95Ms: percentile(latencies, 95) };
}

/** The gateway held to `rate`/s: count what the SMSC accepted in a `seconds` window. */
async function benchLimit(rate: number, seconds: number): Promise<{ measured: number; deviationPercent: number }> {
  const server = await smsc(true);
  const gateway = gatewayFor(server, rate);
  await gateway.start();
  const backlog = Array.from({ length: Math.ceil(rate * (seconds + 2)) }, (_, index) =>
    gateway.submit({ from: 'MAIRIE', to: '+33612345678', text: `Limite ${index}` }).catch(() => undefined),
  );
  while (server.submitted.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const start = server.submitted[0].acceptedAt;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + seconds * 1000 + 200 - Date.now())));
  const inWindow = server.submitted.filter((message) => message.acceptedAt < start + seconds * 1000).length;
  await gateway.stop();
  await Promise.all(backlog);
  await server.stop();
  const measured = inWindow / seconds;
  return { measured, deviationPercent: ((measured - rate) / rate) * 100 };
}

async function main(): Promise<BenchResult> {
  const env = Env.parse(process.env);
  const count = env.BENCH_SMS_COUNT;
  console.log(`SMS bench: ${count} messages, raw window ${RAW_WINDOW}, limit ${env.BENCH_SMS_RATE}/s for ${env.BENCH_SMS_RATE_SECONDS} s`);

  const rawPerSecond = await benchRaw(count);
  console.log(`raw smpp library      : ${rawPerSecond.toFixed(0)} submit_sm/s`);

  const gateway = await benchGateway(count);
  console.log(`gateway, no limit, no DB: ${gateway.perSecond.toFixed(0)} SMS/s, p95 submit→receipt ${gateway.p95Ms.toFixed(1)} ms`);

  const limit = await benchLimit(env.BENCH_SMS_RATE, env.BENCH_SMS_RATE_SECONDS);
  console.log(
    `gateway at ${env.BENCH_SMS_RATE}/s       : ${limit.measured.toFixed(2)} SMS/s measured, deviation ${limit.deviationPercent.toFixed(2)} %`,
  );

  const result = {
    rawPerSecond,
    gatewayPerSecond: gateway.perSecond,
    p95ReceiptMs: gateway.p95Ms,
    limitedRate: limit.measured,
    deviationPercent: limit.deviationPercent,
  };
  console.log(
    `summary: raw ${result.rawPerSecond.toFixed(0)}/s, gateway ${result.gatewayPerSecond.toFixed(0)}/s (p95 ${result.p95ReceiptMs.toFixed(1)} ms), ` +
      `limit ${env.BENCH_SMS_RATE}/s held at ${result.limitedRate.toFixed(2)}/s (${result.deviationPercent.toFixed(2)} %)`,
  );
  return result;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
