import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as notificationRoute } from '@/app/api/v1/t/[tenant]/payments/payfip/notification/route';
import { GET as trackingRoute } from '@/app/api/v1/t/[tenant]/requests/[reference]/route';
import { GET as topicsRoute } from '@/app/api/v1/t/[tenant]/topics/route';
import { POST as purchaseRoute } from '@/app/api/v1/t/[tenant]/purchases/route';
import { signalPaymentSettled } from '@/app/_server/payments';
import { payfipControlClient } from '@/dev/payfip-simulator/control';
import { TEST_CARDS } from '@/dev/payfip-simulator/simulator';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { paymentOnReturn } from '@/domain/payments/return';
import { reserveStock } from '@/domain/payments/stock';
import { query } from '@/domain/sql';
import { paymentProviderFor } from '@/integrations/payment';
import { requestWorkflowId } from '@/domain/requests/contract';
import { eventually, testClient } from '@/temporal/testing/fixtures';
import { keepHistory, PROCESS_HISTORIES_DIR } from '@/temporal/testing/histories';
import { importSellingTenant } from '@/temporal/testing/payment';
import { watchExpiredHolds } from '@/temporal/expired-holds';
import { callRoute, citizenEmail } from '@/temporal/testing/helpers';
import { anyJson, pollutingKey, wrongForString, wrongMediaType } from './hostile-input.testing';

const slug = `achat-${randomUUID().slice(0, 8)}`;
const numcli = String(100_000 + Math.floor(Math.random() * 899_999));
let tenantId: string;
const control = () => payfipControlClient(env().PAYFIP_SIMULATOR_URL!);
const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();

beforeAll(async () => {
  // Limits far above the tests' size: 50 buyers from one address must meet the stock, not a limit.
  tenantId = await importSellingTenant(
    slug,
    numcli,
    [
      { slug: 'concert', label: 'Concert du nouvel an', pricing: { kind: 'per_unit', unitPrice: 1_500 }, stock: 40, maxPerCitizen: 4 },
      { slug: 'dernieres-places', label: 'Récital', pricing: { kind: 'per_unit', unitPrice: 900 }, stock: 10 },
      { slug: 'cantine', label: 'Tickets de cantine', pricing: { kind: 'bracket', field: 'quotientFamilial', brackets: [{ upTo: 500, unitPrice: 1_500, label: 'Tranche A' }, { unitPrice: 4_800, label: 'Tranche B' }] } },
    ],
    [{ slug: 'question', label: 'Poser une question', department: 'accueil', delay: 'P8D' }],
  );
  // The workers' PUBLIC_URL has no web server here: the tests hand PayFiP's notification to the route themselves.
  await control().setNotificationMode('never', { numcli });
});

afterAll(() => closeAllORMs());

function buy(body: unknown, contentType = 'application/json'): Promise<Response> {
  const request = new Request('http://relais.test/api', { method: 'POST', headers: { 'content-type': contentType, 'x-forwarded-for': '198.51.100.7' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return purchaseRoute(request, { params: Promise.resolve({ tenant: slug }) });
}

const seats = (quantity: number, email = citizenEmail('achat')) => ({ product: 'concert', quantity, contact: { name: 'Jeanne Martin', email } });

async function footprint(): Promise<Record<string, number>> {
  const [row] = await query<Record<string, number>>(
    await em(),
    `select (select count(*) from request where tenant_id = ?)::int as requests,
            (select coalesce(sum(value), 0) from reference_counter where tenant_id = ?)::int as "references",
            (select count(*) from stock_reservation where tenant_id = ? and state <> 'released')::int as holds,
            (select coalesce(sum(reserved), 0) from product where tenant_id = ?)::int as reserved,
            (select count(*) from payment where tenant_id = ?)::int as payments`,
    [tenantId, tenantId, tenantId, tenantId, tenantId],
  );
  return row;
}

async function reserved(product: string): Promise<number> {
  const [row] = await query<{ reserved: number }>(await em(), 'select reserved from product where tenant_id = ? and slug = ?', [tenantId, product]);
  return row.reserved;
}

async function tracking(reference: string, code: string) {
  const response = await callRoute(trackingRoute, { tenant: slug, reference }, { url: `http://relais.test/api?code=${encodeURIComponent(code)}` });
  expect(response.status).toBe(200);
  return (await response.json()) as { state: string; payment?: Record<string, unknown>; timeline: Array<{ type: string; label: string }> };
}

const idopOf = (paymentUrl: string) => new URL(paymentUrl).searchParams.get('idop')!;
const notify = (idop: string) => callRoute(notificationRoute, { tenant: slug }, { method: 'POST', body: { idop } });

async function paymentsOf(reference: string) {
  return query<{ state: string; amount: number; provider_id: string }>(
    await em(),
    'select p.state, p.amount, p.provider_id from payment p join request r on r.id = p.request_id where r.tenant_id = ? and r.reference = ?',
    [tenantId, reference],
  );
}

describe('POST /api/v1/t/{tenant}/purchases', () => {
  it('answers 201 with the reference, code, server-computed amount and payment page; an amount sent is ignored; the tracking API follows the payment to the paid state', async () => {
    const before = await reserved('concert');
    const response = await buy({ ...seats(2), amount: 1 });
    expect(response.status).toBe(201);
    expect(response.headers.get('server-timing')).toMatch(/^price;dur=[\d.]+, hold;dur=[\d.]+, intake;dur=[\d.]+, payment;dur=[\d.]+$/);
    const body = (await response.json()) as Record<string, string | number>;
    expect(Object.keys(body).sort()).toEqual(['amount', 'paymentUrl', 'reference', 'trackingCode']);
    expect(body.amount).toBe(3_000);
    expect(body.reference).toMatch(/^\d{4}-\d{6}$/);
    const idop = idopOf(String(body.paymentUrl));
    expect((await control().payment(idop)).request.montant).toBe('3000');
    expect(await reserved('concert')).toBe(before + 2);

    const reference = String(body.reference);
    const code = String(body.trackingCode);
    const waiting = await eventually(async () => {
      const view = await tracking(reference, code);
      if (view.state !== 'awaiting_payment') throw new Error(`state ${view.state}`);
      return view;
    });
    expect(waiting.payment).toMatchObject({ amount: 3_000, currency: 'EUR', state: 'pending', stateLabel: 'En attente de paiement', quantity: 2, product: { slug: 'concert', label: 'Concert du nouvel an' } });
    expect(waiting.payment?.paymentUrl).toBe(body.paymentUrl);
    expect(waiting.timeline.map((e) => e.label)).toContain('Paiement demandé');

    await control().pay(idop, TEST_CARDS.paid);
    expect((await notify(idop)).status).toBe(200);
    const paid = await eventually(async () => {
      const view = await tracking(reference, code);
      if (view.state !== 'closed') throw new Error(`state ${view.state}`);
      return view;
    });
    expect(paid.payment).toMatchObject({ state: 'paid', stateLabel: 'Payé', amount: 3_000, paidAt: expect.any(String), authorisation: expect.any(String) });
    expect(paid.payment?.paymentUrl).toBeUndefined();
    expect(paid.timeline.map((e) => e.label)).toContain('Paiement reçu');
    // The workflow's step adopted the intake's payment and hold: one of each, and the seats stay sold.
    expect(await paymentsOf(reference)).toEqual([{ state: 'paid', amount: 3_000, provider_id: idop }]);
    expect(await reserved('concert')).toBe(before + 2);
    const handle = (await testClient()).workflow.getHandle(requestWorkflowId(slug, reference));
    expect(await handle.result()).toBe('closed');
    await keepHistory('purchase-paid', handle, PROCESS_HISTORIES_DIR);
  });

  it('leaves the purchase topic out of GET /topics: a request cannot be filed on it', async () => {
    const response = await callRoute(topicsRoute, { tenant: slug });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Array<{ slug: string }>).map((t) => t.slug)).toEqual(['question']);
  });

  it('prices a bracket from the data, and answers field errors in French with nothing written', async () => {
    const response = await buy({ product: 'cantine', quantity: 2, contact: { email: citizenEmail('cantine') }, data: { quotientFamilial: '420' } });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { amount: number }).amount).toBe(3_000);

    const before = await footprint();
    const refusals: Array<[unknown, string, RegExp]> = [
      [{ ...seats(0) }, '/quantity', /entre 1 et 1000/],
      [{ ...seats(1.5) }, '/quantity', /nombre entier/],
      [{ product: 'concert', quantity: 1, contact: { name: 'Sans adresse' } }, '/contact/email', /obligatoire/],
      [{ product: 'concert', quantity: 1, contact: { email: 'pas-une-adresse' } }, '/contact/email', /adresse électronique/],
      [{ product: 'cantine', quantity: 1, contact: { email: citizenEmail() }, data: { quotientFamilial: 'beaucoup' } }, '/data/quotientFamilial', /nombre entier positif/],
      [{ product: 'cantine', quantity: 1, contact: { email: citizenEmail() } }, '/data/quotientFamilial', /tarif/],
      [{ product: 'Concert!', quantity: 1, contact: { email: citizenEmail() } }, '/product', /produit du catalogue/],
      [{ product: 'concert', quantity: 1, contact: { email: citizenEmail() }, prix: 1 }, '/prix', /.+/],
    ];
    for (const [body, path, message] of refusals) {
      const refused = await buy(body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      const { errors } = (await refused.json()) as { errors: Array<{ path: string; message: string }> };
      expect(errors.find((e) => e.path === path)?.message, JSON.stringify(errors)).toMatch(message);
    }
    expect((await buy({ ...seats(1), product: 'inconnu' })).status).toBe(404);
    expect((await purchaseRoute(new Request('http://relais.test/api', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(seats(1)) }), { params: Promise.resolve({ tenant: 'commune-inconnue' }) })).status).toBe(404);
    expect((await buy(JSON.stringify(seats(1)), 'text/plain')).status).toBe(415);
    expect((await buy('x'.repeat(300_000))).status).toBe(413);
    expect(await footprint()).toEqual(before);
  });

  it('answers 409 in French when the stock or the per-citizen limit cannot serve, and writes nothing', async () => {
    const email = citizenEmail('limite');
    const first = await buy(seats(3, email));
    expect(first.status).toBe(201);
    const before = await footprint();
    const overLimit = await buy(seats(2, email.toUpperCase()));
    expect(overLimit.status).toBe(409);
    expect(await overLimit.json()).toEqual({ error: 'Vous ne pouvez pas en réserver plus de 4 pour « Concert du nouvel an » : vous en avez déjà 3.' });
    expect(await footprint()).toEqual(before);
    // A purchase topic takes no bare request: prices and stock come from the catalogue only.
    const { POST: requestRoute } = await import('@/app/api/v1/t/[tenant]/requests/route');
    const bare = await callRoute(requestRoute, { tenant: slug }, { method: 'POST', body: { topic: 'achat', subject: 'Places', message: 'Deux places', contact: { email } } });
    expect(bare.status).toBe(400);
    expect(await footprint()).toEqual(before);
  });

  it('applies the request API’s hourly limits (429 with Retry-After) and gives the held seats back', async () => {
    const email = citizenEmail('pressee');
    const em2 = await em();
    const limits = (perContactPerHour: number) =>
      query(
        em2,
        "update tenant set settings = jsonb_set(settings, '{limits}', ?::jsonb) where id = ?",
        [JSON.stringify({ perAddressPerHour: 100_000, perContactPerHour, perTenantPerHour: 1_000_000 }), tenantId],
      );
    await limits(1);
    try {
      expect((await buy(seats(1, email))).status).toBe(201);
      const before = await footprint();
      const limited = await buy(seats(1, email));
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await limited.json()) as { errors: Array<{ message: string }> }).errors[0].message).toMatch(/\S/);
      expect(await footprint()).toEqual(before);
    } finally {
      await limits(100_000);
    }
  });

  it('sells exactly the last 10 seats to 50 concurrent buyers; the 40 others get a clear 409 and leave nothing behind', async () => {
    const before = await footprint();
    const responses = await Promise.all(Array.from({ length: 50 }, () => buy({ product: 'dernieres-places', quantity: 1, contact: { email: citizenEmail('foule') } })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    const refusals = await Promise.all(responses.filter((r) => r.status === 409).map((r) => r.json() as Promise<{ error: string }>));
    for (const refusal of refusals) expect(refusal.error).toBe('« Récital » est complet : il ne reste plus aucune place disponible.');
    expect(await reserved('dernieres-places')).toBe(10);
    const after = await footprint();
    expect(after.requests - before.requests).toBe(10);
    expect(after.payments - before.payments).toBe(10);
    expect(after.references - before.references).toBe(10);
  });

  it('puts the seats of a refused card and of an abandoned payment back on sale', async () => {
    const before = await reserved('concert');
    const refused = (await (await buy(seats(2))).json()) as { reference: string; trackingCode: string; paymentUrl: string };
    const abandoned = (await (await buy(seats(1))).json()) as { reference: string; trackingCode: string; paymentUrl: string };
    expect(await reserved('concert')).toBe(before + 3);
    await control().pay(idopOf(refused.paymentUrl), TEST_CARDS.refused);
    await control().abandon(idopOf(abandoned.paymentUrl));
    await notify(idopOf(refused.paymentUrl));
    await notify(idopOf(abandoned.paymentUrl));
    for (const [purchase, state] of [[refused, 'refused'], [abandoned, 'abandoned']] as const) {
      const view = await eventually(async () => {
        const current = await tracking(purchase.reference, purchase.trackingCode);
        if (current.state !== 'closed') throw new Error(`state ${current.state}`);
        return current;
      });
      expect(view.payment).toMatchObject({ state });
    }
    expect(await reserved('concert')).toBe(before);
  });

  it('counts one payment whatever the order of the browser return and a doubled notification', async () => {
    for (const browserFirst of [true, false]) {
      const before = await reserved('concert');
      const bought = (await (await buy(seats(1))).json()) as { reference: string; trackingCode: string; paymentUrl: string };
      const idop = idopOf(bought.paymentUrl);
      await control().pay(idop, TEST_CARDS.paid);
      const comeBack = async () => {
        const back = await paymentOnReturn(await em(), slug, idop, paymentProviderFor);
        expect(back).toMatchObject({ payment: { state: 'paid' }, requestReference: bought.reference });
        if (back?.settlement) await signalPaymentSettled(await em(), back.settlement);
      };
      if (browserFirst) await comeBack();
      expect((await notify(idop)).status).toBe(200);
      expect((await notify(idop)).status).toBe(200);
      if (!browserFirst) await comeBack();
      await comeBack();
      await eventually(async () => {
        if ((await tracking(bought.reference, bought.trackingCode)).state !== 'closed') throw new Error('not closed yet');
      });
      expect(await paymentsOf(bought.reference)).toEqual([{ state: 'paid', amount: 1_500, provider_id: idop }]);
      const [audit] = await query<{ n: number }>(await em(), "select count(*)::int as n from audit_log where tenant_id = ? and action = 'payment.paid' and data->>'providerId' = ?", [tenantId, idop]);
      expect(audit.n).toBe(1);
      expect(await reserved('concert')).toBe(before + 1);
      if (browserFirst) await keepHistory('purchase-browser-return-first', (await testClient()).workflow.getHandle(requestWorkflowId(slug, bought.reference)), PROCESS_HISTORIES_DIR);
    }
    expect(await paymentOnReturn(await em(), slug, 'inconnu-123', paymentProviderFor)).toBeUndefined();
    expect(await paymentOnReturn(await em(), slug, '<script>', paymentProviderFor)).toBeUndefined();
  });

  it('the worker’s sweep puts the seats of an expired hold back on sale (a purchase cut short before its request was filed)', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const [{ id }] = await query<{ id: string }>(await em(), "select id from product where tenant_id = ? and slug = 'concert'", [tenantId]);
    const before = await reserved('concert');
    const key = `purchase:${tenantId}:${randomUUID()}:stock`;
    await reserveStock(orm.em, { tenantId, productId: id, quantity: 2, key, now: new Date(Date.now() - 30 * 60_000), minutes: 25 });
    expect(await reserved('concert')).toBe(before + 2);
    const sweep = watchExpiredHolds({ orm, logger: pino({ level: 'silent' }), intervalMs: 3_600_000 });
    await sweep.stop();
    expect(await reserved('concert')).toBe(before);
    const [hold] = await query<{ state: string }>(await em(), 'select state from stock_reservation where idempotency_key = ?', [key]);
    expect(hold.state).toBe('released');
  });

  it('refuses hostile bodies with a 4xx and writes nothing (fast-check)', async () => {
    const before = await footprint();
    const valid = () => seats(1, 'hostile@exemple.fr');
    const broken = fc
      .tuple(fc.constantFrom('product', 'quantity', 'contact', 'contact.email', 'contact.name', 'contact.phone', 'data'), wrongForString)
      .filter(([field, value]) => !(field === 'data' && typeof value === 'object' && value !== null && !Array.isArray(value)))
      // A whole number of seats from 1 to 1,000 is a valid quantity, not a wrong one (seed 295842475 drew 1).
      .filter(([field, value]) => !(field === 'quantity' && Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 1000))
      .map(([field, value]) => {
        const body: Record<string, unknown> = valid();
        const [head, tail] = field.split('.');
        if (tail) body[head] = { ...(body[head] as object), [tail]: value };
        else body[head] = value;
        return { contentType: 'application/json', body: JSON.stringify(body) };
      });
    const hostile = fc.oneof(
      broken,
      wrongMediaType.map((contentType) => ({ contentType: contentType ?? '', body: JSON.stringify(valid()) })),
      pollutingKey.map((key) => ({ contentType: 'application/json', body: JSON.stringify(valid()).replace('{', `{"${key}":{"amount":1},`) })),
      anyJson.map((value) => ({ contentType: 'application/json', body: JSON.stringify(value) })),
      fc.string({ maxLength: 200 }).map((text) => ({ contentType: 'application/json', body: text })),
      fc.integer({ min: 1001, max: 1e9 }).map((quantity) => ({ contentType: 'application/json', body: JSON.stringify({ ...valid(), quantity }) })),
    );
    await fc.assert(
      fc.asyncProperty(hostile, async ({ contentType, body }) => {
        const response = await buy(body, contentType);
        expect([400, 404, 409, 413, 415]).toContain(response.status);
      }),
      { numRuns: 300 },
    );
    expect(await footprint()).toEqual(before);
  });
});
