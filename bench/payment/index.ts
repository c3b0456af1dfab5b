import { randomUUID } from 'node:crypto';
import { payfipControlClient } from '@/dev/payfip-simulator/control';
import { TEST_CARDS } from '@/dev/payfip-simulator/simulator';
import { cpuPerUnit, ms, percentile, rssMiB, stackCpuSeconds } from '@/bench/support/stats';
import { startBenchStack } from '@/bench/support/stack';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';

const PURCHASES = Number(process.env.BENCH_PURCHASES ?? 1_000);
const BUYERS = Number(process.env.BENCH_BUYERS ?? 20);
// A tenth of the buyers find the show sold out: the stock, not the load, decides who gets a seat.
const STOCK = PURCHASES - Math.floor(PURCHASES / 10);
const PRODUCT = 'theatre-le-cid';
const SETTLE_TIMEOUT_MS = Number(process.env.BENCH_SETTLE_TIMEOUT_S ?? 600) * 1000;

interface Attempt {
  status: number;
  postMs: number;
  /** The route's Server-Timing phases (price, hold, intake, payment), in milliseconds. */
  phases?: Record<string, number>;
  reference?: string;
  idop?: string;
  error?: string;
}

/**
 * `npm run bench:payment`: BENCH_PURCHASES buyers (default 1,000), BENCH_BUYERS at a time (default 20), each buying one
 * seat through `POST /purchases` and paying with the simulator's accepted card, against a show with a tenth fewer seats
 * than buyers. Prints purchases per second, the p95 from POST to payment page, the p95 from the simulator's
 * notification to the paid state, and the seats oversold (must be 0); exits non-zero when a purchase is inconsistent.
 */
async function main(): Promise<void> {
  const stack = await startBenchStack();
  let failed = false;
  try {
    const orm = await initORM(stack.env.DATABASE_URL);
    // Raw SQL in the bench: a fresh stock for the run (the demo's own show, its per-citizen limit kept).
    await query(orm.em.fork(), "update product set stock = ?, reserved = 0 where slug = ? and tenant_id = (select id from tenant where slug = 'demo')", [STOCK, PRODUCT]);
    const control = payfipControlClient(stack.env.PAYFIP_SIMULATOR_URL);
    await control.setNotificationMode('normal');
    console.log(`[bench] ${PURCHASES} buyers, ${BUYERS} at a time, for ${STOCK} seats; each pays on the PayFiP simulator`);

    const attempts: Attempt[] = [];
    let next = 0;
    const cpuBefore = stackCpuSeconds();
    const started = Date.now();
    const buyer = async () => {
      while (next < PURCHASES) {
        next += 1;
        attempts.push(await buyAndPay(stack.baseUrl, control));
      }
    };
    await Promise.all(Array.from({ length: BUYERS }, buyer));
    const buyingMs = Date.now() - started;
    const sold = attempts.filter((a) => a.status === 201);
    const refused = attempts.filter((a) => a.status === 409);
    const other = attempts.filter((a) => a.status !== 201 && a.status !== 409);

    const settled = await waitForPaidState(stack.env.DATABASE_URL, sold.map((a) => a.reference!), SETTLE_TIMEOUT_MS);
    const allMs = Date.now() - started;
    const cpuAfter = stackCpuSeconds();
    const notifications = new Map((await control.notifications()).map((n) => [n.idOp, Date.parse(String(n.at))] as const));
    const rows = await paidRows(stack.env.DATABASE_URL);
    const toPaidRow: number[] = [];
    const toPaidState: number[] = [];
    for (const attempt of sold) {
      const row = rows.get(attempt.reference!);
      const notifiedAt = notifications.get(attempt.idop!);
      if (!row || notifiedAt === undefined) continue;
      if (row.paidAt) toPaidRow.push(row.paidAt - notifiedAt);
      if (row.receivedAt) toPaidState.push(row.receivedAt - notifiedAt);
    }
    const [stock] = await query<{ stock: number; reserved: number; confirmed: number; payments_paid: number; held: number }>(
      orm.em.fork(),
      `select p.stock, p.reserved,
              (select coalesce(sum(quantity), 0) from stock_reservation r where r.product_id = p.id and r.state = 'confirmed')::int as confirmed,
              (select coalesce(sum(quantity), 0) from stock_reservation r where r.product_id = p.id and r.state = 'held')::int as held,
              (select coalesce(sum(quantity), 0) from payment pa where pa.product_id = p.id and pa.state = 'paid')::int as payments_paid
         from product p join tenant t on t.id = p.tenant_id where t.slug = 'demo' and p.slug = ?`,
      [PRODUCT],
    );
    const oversold = Math.max(0, stock.payments_paid - stock.stock, stock.confirmed + stock.held - stock.stock);
    const postMs = sold.map((a) => a.postMs);
    console.log('');
    console.log(`[bench] buying (POST + card): ${sold.length} sold, ${refused.length} told « complet » (409), ${other.length} other answers, in ${(buyingMs / 1000).toFixed(1)} s`);
    if (other.length) console.log(`[bench] other answers: ${[...new Set(other.map((a) => `${a.status} ${a.error ?? ''}`))].slice(0, 5).join(' | ')}`);
    console.log(`[bench] POST /purchases → paymentUrl: p50 ${ms(percentile(postMs, 50))}, p95 ${ms(percentile(postMs, 95))}, max ${ms(Math.max(...postMs))}`);
    console.log(`[bench] where POST's time goes (Server-Timing, p50 / p95): ${phaseSummary(sold)}`);
    console.log(`[bench] notification → payment row paid (web route, verified with PayFiP): p50 ${ms(percentile(toPaidRow, 50))}, p95 ${ms(percentile(toPaidRow, 95))}`);
    console.log(`[bench] notification → paid state (workflow's payment_received): p50 ${ms(percentile(toPaidState, 50))}, p95 ${ms(percentile(toPaidState, 95))}; ${settled}/${sold.length} paid within ${(allMs / 1000).toFixed(1)} s`);
    console.log(`[bench] CPU per sale (POST, card, notification, workflow, receipt; the whole run ÷ seats sold): ${cpuPerUnit(cpuBefore, cpuAfter, sold.length)}`);
    console.log(`[bench] stock ${stock.stock}: ${stock.confirmed} seats confirmed, ${stock.held} still held, ${stock.payments_paid} paid; oversold ${oversold}; bench process ${rssMiB()} MiB`);
    failed = oversold > 0 || settled !== sold.length || sold.length !== Math.min(STOCK, PURCHASES) || other.length > 0;
    const rate = sold.length / (buyingMs / 1000);
    console.log(
      `bench:payment ${PURCHASES} buyers/${BUYERS} concurrent: ${rate.toFixed(1)} purchases/s, POST→paymentUrl p95 ${ms(percentile(postMs, 95))}, ` +
        `notification→paid p95 ${ms(percentile(toPaidState, 95))}, ${sold.length} sold for ${STOCK} seats, oversold ${oversold}${failed ? ' — INCONSISTENT' : ''}`,
    );
  } finally {
    await closeAllORMs();
    await stack.stop();
  }
  if (failed) process.exitCode = 1;
}

async function buyAndPay(baseUrl: string, control: ReturnType<typeof payfipControlClient>): Promise<Attempt> {
  const body = { product: PRODUCT, quantity: 1, contact: { email: `bench-${randomUUID().slice(0, 12)}@exemple.fr` } };
  const t0 = performance.now();
  const response = await fetch(`${baseUrl}/api/v1/t/demo/purchases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const postMs = performance.now() - t0;
  const answer = (await response.json().catch(() => ({}))) as { reference?: string; paymentUrl?: string; error?: string };
  if (response.status !== 201 || !answer.paymentUrl) return { status: response.status, postMs, error: answer.error };
  const idop = new URL(answer.paymentUrl).searchParams.get('idop')!;
  // What the payment page's form does: the simulator settles, then notifies Relais's urlnotif.
  await control.pay(idop, TEST_CARDS.paid);
  return { status: 201, postMs, phases: serverTiming(response.headers.get('server-timing')), reference: answer.reference, idop };
}

/** `price;dur=1.2, hold;dur=3` → { price: 1.2, hold: 3 }. */
function serverTiming(header: string | null): Record<string, number> {
  const phases: Record<string, number> = {};
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().split(';');
    const duration = params.map((p) => p.trim()).find((p) => p.startsWith('dur='));
    if (name && duration) phases[name] = Number(duration.slice(4));
  }
  return phases;
}

function phaseSummary(attempts: Attempt[]): string {
  const names = [...new Set(attempts.flatMap((a) => Object.keys(a.phases ?? {})))];
  return names.map((name) => {
    const values = attempts.map((a) => a.phases?.[name]).filter((v): v is number => v !== undefined);
    return `${name} ${ms(percentile(values, 50))} / ${ms(percentile(values, 95))}`;
  }).join(', ');
}

/** Waits until every purchase's workflow has counted its payment; returns how many did. */
async function waitForPaidState(databaseUrl: string, references: string[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await paidRows(databaseUrl);
    const done = references.filter((r) => rows.get(r)?.receivedAt).length;
    if (done === references.length || Date.now() > deadline) return done;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function paidRows(databaseUrl: string): Promise<Map<string, { paidAt?: number; receivedAt?: number }>> {
  const orm = await initORM(databaseUrl);
  const rows = await query<{ reference: string; paid_at: Date | null; received_at: Date | null }>(
    orm.em.fork(),
    `select r.reference, pa.paid_at,
            (select min(e.created_at) from request_event e where e.request_id = r.id and e.type = 'payment_received') as received_at
       from request r join tenant t on t.id = r.tenant_id join payment pa on pa.request_id = r.id
      where t.slug = 'demo' and r.process_slug = 'achat'`,
  );
  return new Map(rows.map((r) => [r.reference, { paidAt: r.paid_at ? new Date(r.paid_at).getTime() : undefined, receivedAt: r.received_at ? new Date(r.received_at).getTime() : undefined }]));
}

await main();
