// Usage: npm run bench:mail [-- --count 500]   (default 5,000 e-mails, then as many requests through the JSON API)
//
// E-mails over 8 SMTP connections to Relais's inbound listener, then the same number of requests through the public
// JSON API with 8 concurrent clients, in one run on one stack: accepted per second, and the time from the message's
// arrival to its acknowledgement sent, side by side. Every message must be recorded once and acknowledged once.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { listenerTransport, sendWith } from '@/dev/mail-sink/to-listener';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { ms, percentile } from '@/bench/support/stats';
import { startBenchStack } from '@/bench/support/stack';

const { values } = parseArgs({ options: { count: { type: 'string', default: process.env.BENCH_MAIL_COUNT ?? '5000' } } });
const COUNT = Number(values.count);
if (!Number.isInteger(COUNT) || COUNT < 1) throw new Error(`--count must be a positive integer, got "${values.count}"`);
const CONNECTIONS = 8;
const WARM = 40;
// Acknowledgements still missing after this long without progress are reported missing.
const STALL_MS = 120_000;

interface Phase {
  name: string;
  accepted: number;
  refused: Map<string, number>;
  seconds: number;
  /** Client side: one SMTP transaction (MAIL FROM → 250 after DATA), or POST → 201. */
  clientMs: number[];
}

interface Acks {
  /** Arrival (the listener's 250: inbound_email.queued_at; request.received_at) → acknowledgement sent (notification.sent_at). */
  latencies: number[];
  records: number;
  requests: number;
  acknowledgedOnce: number;
  acknowledgedTwice: number;
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  const port = Number(stack.env.RELAIS_INBOUND_SMTP_PORT);
  if (!port) throw new Error('The stack runs no inbound SMTP listener (RELAIS_INBOUND_SMTP_PORT is not set)');
  const orm = await initORM(stack.env.DATABASE_URL);
  const run = randomUUID().slice(0, 8);
  try {
    await sendMails(port, `warm-${run}`, WARM);
    // The warm-up mail is filed before the measured burst starts: the listener answers before the intake has run.
    await waitForAcks(() => mailAckState(orm, `warm-${run}-%`), WARM);
    await postRequests(stack.baseUrl, `warm-${run}`, WARM);
    console.log(`[bench] ${COUNT} e-mails over ${CONNECTIONS} SMTP connections, then ${COUNT} API requests from ${CONNECTIONS} clients`);

    const mail = await sendMails(port, `mail-${run}`, COUNT);
    console.log(`[bench] SMTP: ${mail.accepted} accepted in ${mail.seconds.toFixed(1)} s (${(mail.accepted / mail.seconds).toFixed(1)}/s); waiting for the acknowledgements…`);
    const mailAcks = await waitForAcks(() => mailAckState(orm, `mail-${run}-%`), mail.accepted);
    const filing = await filingSpan(orm, `mail-${run}-%`);
    const api = await postRequests(stack.baseUrl, `api-${run}`, COUNT);
    const apiAcks = await waitForAcks(() => apiAckState(orm, `api-${run}-%`), api.accepted);
    report(mail, mailAcks, api, apiAcks, filing);
  } finally {
    await closeAllORMs();
    await stack.stop();
  }
}

/** Every message from a sender of its own: the per-sender acknowledgement limit is for one citizen, not for a bench. */
async function sendMails(port: number, tag: string, count: number): Promise<Phase> {
  const transport = listenerTransport({ host: '127.0.0.1', port }, { maxConnections: CONNECTIONS });
  const phase: Phase = { name: 'SMTP', accepted: 0, refused: new Map(), seconds: 0, clientMs: [] };
  let next = 0;
  const started = performance.now();
  // One message in flight per connection, so that a message's time is its own SMTP transaction, not a queue's wait.
  const connection = async () => {
    for (let i = next++; i < count; i = next++) {
      const t0 = performance.now();
      try {
        await sendWith(transport, {
          from: `${tag}-${i}@bench.test`,
          to: ['demo@relais.localhost'],
          subject: `Lampadaire en panne n° ${i}`,
          text: `Bonjour,\n\nle lampadaire n° ${i} de la rue des Lilas ne s’allume plus.\n\nUn habitant`,
        });
        phase.accepted += 1;
        phase.clientMs.push(performance.now() - t0);
      } catch (error) {
        const key = (error as Error).message.slice(0, 120);
        phase.refused.set(key, (phase.refused.get(key) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, connection));
  phase.seconds = (performance.now() - started) / 1000;
  transport.close();
  return phase;
}

async function postRequests(baseUrl: string, tag: string, count: number): Promise<Phase> {
  const phase: Phase = { name: 'API', accepted: 0, refused: new Map(), seconds: 0, clientMs: [] };
  let next = 0;
  const started = performance.now();
  const client = async () => {
    for (let i = next++; i < count; i = next++) {
      const t0 = performance.now();
      const response = await fetch(`${baseUrl}/api/v1/t/demo/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          topic: 'question',
          subject: `Lampadaire en panne n° ${i}`,
          message: `Bonjour,\n\nle lampadaire n° ${i} de la rue des Lilas ne s’allume plus.\n\nUn habitant`,
          contact: { email: `${tag}-${i}@bench.test` },
        }),
      });
      await response.arrayBuffer();
      if (response.status === 201) {
        phase.accepted += 1;
        phase.clientMs.push(performance.now() - t0);
      } else {
        phase.refused.set(String(response.status), (phase.refused.get(String(response.status)) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, client));
  phase.seconds = (performance.now() - started) / 1000;
  return phase;
}

type OrmOf = Awaited<ReturnType<typeof initORM>>;

// Aggregates over thousands of rows, polled while the worker drains: one query each rather than entities.
async function mailAckState(orm: OrmOf, senders: string): Promise<Acks> {
  const rows = await query<{ ack_ms: number | null; acks: number; request_id: string | null }>(
    orm.em.fork(),
    `select e.request_id,
            (select extract(epoch from min(n.sent_at) - coalesce(e.queued_at, e.received_at)) * 1000 from notification n
              where n.request_id = e.request_id and n.template = 'acknowledgement' and n.channel = 'email' and n.status = 'sent') as ack_ms,
            (select count(*)::int from notification n where n.request_id = e.request_id and n.template = 'acknowledgement' and n.channel = 'email') as acks
       from inbound_email e where e.from_address like ?`,
    [senders],
  );
  return summarise(rows);
}

/** From the first message queued to the last one filed by the intake: the spool's drain rate. */
async function filingSpan(orm: OrmOf, senders: string): Promise<{ filed: number; seconds: number }> {
  const [span] = await query<{ filed: number; seconds: number | null }>(
    orm.em.fork(),
    `select count(*)::int as filed, extract(epoch from max(handled_at) - min(coalesce(queued_at, received_at))) as seconds
       from inbound_email where from_address like ? and handled_at is not null`,
    [senders],
  );
  return { filed: span.filed, seconds: Number(span.seconds ?? 0) };
}

async function apiAckState(orm: OrmOf, senders: string): Promise<Acks> {
  const rows = await query<{ ack_ms: number | null; acks: number; request_id: string }>(
    orm.em.fork(),
    `select r.id as request_id,
            (select extract(epoch from min(n.sent_at) - r.received_at) * 1000 from notification n
              where n.request_id = r.id and n.template = 'acknowledgement' and n.channel = 'email' and n.status = 'sent') as ack_ms,
            (select count(*)::int from notification n where n.request_id = r.id and n.template = 'acknowledgement' and n.channel = 'email') as acks
       from request r where r.tenant_id = (select id from tenant where slug = 'demo') and r.citizen->>'email' like ?`,
    [senders],
  );
  return summarise(rows);
}

function summarise(rows: Array<{ ack_ms: number | null; acks: number; request_id: string | null }>): Acks {
  const sent = rows.filter((r) => r.ack_ms !== null);
  return {
    latencies: sent.map((r) => Number(r.ack_ms)),
    records: rows.length,
    requests: new Set(rows.flatMap((r) => (r.request_id ? [r.request_id] : []))).size,
    acknowledgedOnce: sent.filter((r) => Number(r.acks) === 1).length,
    acknowledgedTwice: rows.filter((r) => Number(r.acks) > 1).length,
  };
}

/** Polls until every accepted message is acknowledged, or nothing moved for STALL_MS. */
async function waitForAcks(state: () => Promise<Acks>, expected: number): Promise<Acks> {
  let last = await state();
  let progressAt = Date.now();
  while (last.latencies.length < expected && Date.now() - progressAt < STALL_MS) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = await state();
    if (now.latencies.length > last.latencies.length || now.records > last.records) progressAt = Date.now();
    last = now;
  }
  return last;
}

function report(mail: Phase, mailAcks: Acks, api: Phase, apiAcks: Acks, filing: { filed: number; seconds: number }): void {
  const line = (phase: Phase, acks: Acks, record: string) => {
    const refused = [...phase.refused].map(([why, n]) => `${n}× ${why}`).join('; ');
    console.log(`${phase.name.padEnd(5)} accepted ${phase.accepted}/${COUNT} in ${phase.seconds.toFixed(1)} s → ${(phase.accepted / phase.seconds).toFixed(1)} accepted/s${refused ? ` (refused: ${refused})` : ''}`);
    console.log(`      client reply p50 ${ms(percentile(phase.clientMs, 50))}  p95 ${ms(percentile(phase.clientMs, 95))}`);
    console.log(`      ${record} ${acks.records}, requests ${acks.requests}, acknowledged once ${acks.acknowledgedOnce}, more than once ${acks.acknowledgedTwice}`);
    console.log(`      arrival → acknowledgement sent p50 ${ms(percentile(acks.latencies, 50))}  p95 ${ms(percentile(acks.latencies, 95))}`);
  };
  console.log('');
  line(mail, mailAcks, 'inbound_email rows');
  console.log(`      filed from the spool by the intake: ${filing.filed} in ${filing.seconds.toFixed(1)} s → ${(filing.filed / Math.max(filing.seconds, 0.001)).toFixed(1)}/s`);
  line(api, apiAcks, 'request rows');
  const exact = mailAcks.records === COUNT && mailAcks.requests === COUNT && mailAcks.acknowledgedOnce === COUNT && mailAcks.acknowledgedTwice === 0;
  console.log(`every e-mail recorded once and acknowledged exactly once: ${exact ? 'yes' : 'NO'}`);
  console.log(
    `mail: ${(mail.accepted / mail.seconds).toFixed(1)} e-mails/s accepted, ${(filing.filed / Math.max(filing.seconds, 0.001)).toFixed(1)}/s filed, ack p95 ${ms(percentile(mailAcks.latencies, 95))} | API: ${(api.accepted / api.seconds).toFixed(1)} requests/s, ack p95 ${ms(percentile(apiAcks.latencies, 95))} | ${mailAcks.acknowledgedOnce}/${COUNT} e-mails acknowledged once`,
  );
  if (!exact) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
