import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as notificationRoute } from '@/app/api/v1/t/[tenant]/payments/payfip/notification/route';
import { GET as trackingRoute } from '@/app/api/v1/t/[tenant]/requests/[reference]/route';
import { payfipControlClient } from '@/dev/payfip-simulator/control';
import { TEST_CARDS } from '@/dev/payfip-simulator/simulator';
import { env } from '@/domain/env';
import { createIntake } from '@/domain/intake/submission';
import { closeAllORMs, initORM } from '@/domain/orm';
import { createPurchases, type PurchaseReceipt } from '@/domain/payments/purchases';
import { pgArray, query } from '@/domain/sql';
import { paymentProviderFor } from '@/integrations/payment';
import { requestWorkflowStarter } from './client';
import { eventually } from './testing/fixtures';
import { callRoute, citizenEmail, mailTo } from './testing/helpers';
import { importSellingTenant } from './testing/payment';
import { startWorkerProcess } from './testing/services';

afterAll(() => closeAllORMs());

const slug = `caisse-${randomUUID().slice(0, 8)}`;
const numcli = String(100_000 + Math.floor(Math.random() * 899_999));
const queue = `relais-payment-crash-${randomUUID().slice(0, 8)}`;
const STOCK = 40;
const SEATS = 2;
let tenantId: string;
const control = () => payfipControlClient(env().PAYFIP_SIMULATOR_URL!);
const em = async (): Promise<EntityManager> => (await initORM(env().DATABASE_URL!)).em.fork();

beforeAll(async () => {
  tenantId = await importSellingTenant(slug, numcli, [{ slug: 'spectacle', label: 'Spectacle de fin d’année', pricing: { kind: 'per_unit', unitPrice: 1_000 }, stock: STOCK }]);
  // The test hands PayFiP's notifications to the route itself, so that it chooses when they come (and that some never do).
  await control().setNotificationMode('never', { numcli });
});

/** The purchase service of the web process, its workflows started on the test's own task queue. */
async function purchaseService() {
  const orm = await initORM(env().DATABASE_URL!);
  const intake = createIntake({ orm, publicUrl: env().PUBLIC_URL, startWorkflow: requestWorkflowStarter({ address: env().TEMPORAL_ADDRESS!, namespace: env().TEMPORAL_NAMESPACE }, queue) });
  return createPurchases({ orm, intake, providerFor: paymentProviderFor, publicUrl: env().PUBLIC_URL });
}

type Outcome = 'paid' | 'refused' | 'abandoned';
interface Buyer {
  email: string;
  outcome: Outcome;
  /** PayFiP's notification reaches Relais; without it the workflow finds the result by polling. */
  notified: boolean;
  receipt?: PurchaseReceipt;
}

const idopOf = (buyer: Buyer) => new URL(buyer.receipt!.paymentUrl).searchParams.get('idop')!;

/** The citizen's result on the simulator's payment page, then PayFiP's notification when it comes. */
async function settleOnSimulator(buyer: Buyer): Promise<void> {
  const idop = idopOf(buyer);
  if (buyer.outcome === 'abandoned') await control().abandon(idop);
  else await control().pay(idop, TEST_CARDS[buyer.outcome]);
  if (buyer.notified) expect((await callRoute(notificationRoute, { tenant: slug }, { method: 'POST', body: { idop } })).status).toBe(200);
}

async function tracking(buyer: Buyer) {
  const { reference, trackingCode } = buyer.receipt!;
  const response = await callRoute(trackingRoute, { tenant: slug, reference }, { url: `http://relais.test/api?code=${encodeURIComponent(trackingCode)}` });
  expect(response.status).toBe(200);
  return (await response.json()) as { state: string; payment?: { state: string; amount: number } };
}

async function paymentRows(buyer: Buyer) {
  return query<{ state: string; amount: number; provider_id: string; hold: string | null }>(
    await em(),
    `select p.state, p.amount, p.provider_id, s.state as hold from payment p join request r on r.id = p.request_id
       left join stock_reservation s on s.id = p.reservation_id where r.tenant_id = ? and r.reference = ?`,
    [tenantId, buyer.receipt!.reference],
  );
}

async function paidAudits(idop: string): Promise<number> {
  const [row] = await query<{ n: number }>(await em(), "select count(*)::int as n from audit_log where tenant_id = ? and action = 'payment.paid' and data->>'providerId' = ?", [tenantId, idop]);
  return row.n;
}

async function reservedSeats(): Promise<number> {
  const [row] = await query<{ reserved: number }>(await em(), "select reserved from product where tenant_id = ? and slug = 'spectacle'", [tenantId]);
  return row.reserved;
}

async function receiptNotices(email: string) {
  return query<{ status: string }>(await em(), "select status from notification where tenant_id = ? and template = 'payment_receipt' and recipient = ?", [tenantId, email]);
}

async function openRequests(of: Buyer[]): Promise<number> {
  const [row] = await query<{ n: number }>(await em(), "select count(*)::int as n from request where tenant_id = ? and reference = any(?::text[]) and state <> 'closed'", [tenantId, pgArray(of.map((b) => b.receipt!.reference))]);
  return row.n;
}

/** Payments the web process has settled (notified ones); the worker settles the others by polling. */
async function settledCount(): Promise<number> {
  const [row] = await query<{ n: number }>(await em(), "select count(*)::int as n from payment where tenant_id = ? and state <> 'pending'", [tenantId]);
  return row.n;
}

describe('payments after a worker kill (kill -9 while payments are in flight)', () => {
  it('every purchase ends in one consistent state: paid once with its seats and one receipt, or unpaid with its seats back on sale', async () => {
    const outcomes: Array<[Outcome, boolean]> = [
      ['paid', true], ['refused', true], ['paid', true], ['abandoned', true], ['paid', true], ['refused', true],
      ['paid', true], ['abandoned', true], ['paid', false], ['refused', true], ['paid', true], ['refused', false],
    ];
    const buyers: Buyer[] = outcomes.map(([outcome, notified]) => ({ email: citizenEmail('caisse'), outcome, notified }));
    const purchases = await purchaseService();

    let worker = await startWorkerProcess({ TEMPORAL_TASK_QUEUE: queue });
    try {
      for (const buyer of buyers) {
        buyer.receipt = await purchases.purchase(slug, { product: 'spectacle', quantity: SEATS, contact: { name: 'Paul Durand', email: buyer.email } }, '198.51.100.9');
      }
      expect(await reservedSeats()).toBe(SEATS * buyers.length);
      // Every workflow reached its payment step before the first result comes.
      for (const buyer of buyers) await eventually(async () => expect((await tracking(buyer)).state).toBe('awaiting_payment'), 60_000);

      // The first half pays; the worker is killed as soon as the first result is in, its steps verifying the others.
      const [first, second] = [buyers.slice(0, 6), buyers.slice(6)];
      await Promise.all(first.map(settleOnSimulator));
      await eventually(async () => expect(await settledCount()).toBeGreaterThan(0), 20_000, 5);
      worker.child.kill('SIGKILL');
      await new Promise((resolve) => worker.child.once('exit', resolve));
      // The kill cut work in flight: results came in, and some of their requests had not closed yet.
      expect(await openRequests(first)).toBeGreaterThan(0);
      // Results and notifications keep coming while no worker runs: Temporal keeps the signals, PayFiP the results.
      await Promise.all(second.map(settleOnSimulator));

      worker = await startWorkerProcess({ TEMPORAL_TASK_QUEUE: queue });
      // The unnotified ones wait for the step's next poll (30 s).
      for (const buyer of buyers) await eventually(async () => expect((await tracking(buyer)).state).toBe('closed'), 120_000, 500);

      const paid = buyers.filter((b) => b.outcome === 'paid');
      for (const buyer of buyers) {
        const idop = idopOf(buyer);
        const view = await tracking(buyer);
        expect(view.payment, buyer.email).toMatchObject({ state: buyer.outcome, amount: SEATS * 1_000 });
        const hold = buyer.outcome === 'paid' ? 'confirmed' : 'released';
        expect(await paymentRows(buyer), buyer.email).toEqual([{ state: buyer.outcome, amount: SEATS * 1_000, provider_id: idop, hold }]);
        expect(await paidAudits(idop), buyer.email).toBe(buyer.outcome === 'paid' ? 1 : 0);
      }
      // The seats of the paid purchases stay sold; every other one is back on sale.
      expect(await reservedSeats()).toBe(SEATS * paid.length);
      // One receipt per payment, never two. A receipt whose send the kill cut off is marked uncertain and not repeated
      // (it may have reached the server; an agent resends it): only then may the citizen have none. A receipt whose PDF
      // the kill cut off is rendered again once the pdf profile's start-to-close timeout (2 minutes) has passed.
      await eventually(async () => {
        for (const buyer of paid) {
          const receipts = (await mailTo(buyer.email)).filter((m) => m.subject!.includes('reçu de votre paiement'));
          const [notice] = await receiptNotices(buyer.email);
          expect(notice?.status ?? 'no receipt notice yet', buyer.email).toMatch(/^(sent|uncertain)$/);
          expect(await receiptNotices(buyer.email), buyer.email).toHaveLength(1);
          if (notice.status === 'sent') expect(receipts, buyer.email).toHaveLength(1);
          else expect(receipts.length, buyer.email).toBeLessThanOrEqual(1);
        }
      }, 150_000);
      for (const buyer of buyers.filter((b) => b.outcome !== 'paid')) {
        expect((await mailTo(buyer.email)).filter((m) => m.subject!.includes('reçu de votre paiement')), buyer.email).toHaveLength(0);
      }
    } finally {
      await worker.stop();
    }
  }, 420_000);
});
