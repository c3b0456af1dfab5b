import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as notificationRoute } from '@/app/api/v1/t/[tenant]/payments/payfip/notification/route';
import { payfipControlClient } from '@/dev/payfip-simulator/control';
import { TEST_CARDS } from '@/dev/payfip-simulator/simulator';
import { AuditLog, Payment, Product, Tenant } from '@/domain/entities';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { paymentProviderFor } from '@/integrations/payment';
import { createTestTenant, eventually } from '@/temporal/testing/fixtures';
import { createPayment, expirePayment, findPaymentByKey, paymentReference, settlePayment } from './payments';
import type { PaymentProvider } from './provider';
import { reserveStock } from './stock';

let orm: MikroORM;
let tenantSlug: string;
let tenantId: string;
let numcli: string;
let provider: PaymentProvider;
let receiver: http.Server;
let notificationUrl: string;
const control = () => payfipControlClient(env().PAYFIP_SIMULATOR_URL!);

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  numcli = String(100_000 + Math.floor(Math.random() * 899_999));
  const payment = { provider: 'payfip' as const, numcli, environment: 'test' as const };
  const tenant = await createTestTenant({ payment, products: [{ slug: 'places', label: 'Places', pricing: { kind: 'per_unit', unitPrice: 1_200 }, stock: 20 }] });
  tenantSlug = tenant.slug;
  tenantId = (await orm.em.fork().getRepository(Tenant).getBySlug(tenantSlug)).id;
  provider = paymentProviderFor(payment);
  // PayFiP posts its notification over HTTP: this server hands it to the real route handler, as Next.js would.
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = new Request(`http://relais.test${req.url}`, { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body });
      void notificationRoute(request, { params: Promise.resolve({ tenant: tenantSlug }) }).then(async (response) => {
        res.writeHead(response.status).end(await response.text());
      });
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  notificationUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/v1/t/${tenantSlug}/payments/payfip/notification`;
});

afterAll(() => new Promise((resolve) => receiver?.close(resolve)));

async function newPayment(amount = 2_400, overrides: { provider?: PaymentProvider; expiresAt?: Date } = {}) {
  const key = `test:${randomUUID()}`;
  const input = {
    tenantId,
    key,
    reference: paymentReference(`T${randomUUID().slice(0, 8)}`),
    amount,
    label: 'Deux places',
    email: 'jeanne@exemple.fr',
    notificationUrl,
    returnUrl: 'http://relais.test/retour',
    expiresAt: overrides.expiresAt ?? new Date(Date.now() + 20 * 60_000),
  };
  return { key, input, payment: await createPayment(orm.em, overrides.provider ?? provider, input) };
}

async function audits(action: string, target?: string) {
  return orm.em.fork().find(AuditLog, { tenant: tenantId, action, ...(target ? { target } : {}) });
}

describe('payments', () => {
  it('creates one payment per key, and counts it paid only once, from a notification verified with PayFiP, even sent twice', async () => {
    await control().setNotificationMode('twice', { numcli });
    const product = await orm.em.fork().findOneOrFail(Product, { tenant: tenantId, slug: 'places' });
    const reservation = await reserveStock(orm.em, { tenantId, productId: product.id, quantity: 2, key: `hold:${randomUUID()}` });
    const { input, payment } = await newPayment(2_400);
    expect(payment).toMatchObject({ state: 'pending', amount: 2_400, provider: 'payfip' });
    expect(payment.paymentUrl).toContain(`idop=${payment.providerId}`);
    const again = await createPayment(orm.em, provider, { ...input, reservationId: reservation.id });
    expect(again.providerId).toBe(payment.providerId);
    expect(await orm.em.fork().count(Payment, { idempotencyKey: input.key })).toBe(1);

    await control().pay(payment.providerId!, TEST_CARDS.paid);
    await control().drain();
    expect(await control().notifications(payment.providerId!)).toHaveLength(2);
    const paid = await eventually(async () => {
      const current = await findPaymentByKey(orm.em, tenantId, input.key);
      if (current?.state !== 'paid') throw new Error(`still ${current?.state}`);
      return current;
    });
    expect(paid.authorisation).toMatch(/^\d{6}$/);
    expect(paid.transactionDate).toMatch(/^\d{8}$/);
    expect(await audits('payment.paid', paid.reference)).toHaveLength(1);
    // A browser coming back later asks again: nothing changes.
    expect((await settlePayment(orm.em, provider, tenantId, payment.providerId!, 'return')).status).toBe('unchanged');
    expect(await audits('payment.paid', paid.reference)).toHaveLength(1);
  });

  it('records refused and abandoned payments, and leaves a payment pending while PayFiP has no result', async () => {
    await control().setNotificationMode('never', { numcli });
    const refused = await newPayment();
    expect((await settlePayment(orm.em, provider, tenantId, refused.payment.providerId!, 'poll')).status).toBe('pending');
    await control().pay(refused.payment.providerId!, TEST_CARDS.refused);
    expect(await settlePayment(orm.em, provider, tenantId, refused.payment.providerId!, 'poll')).toMatchObject({ status: 'applied', payment: { state: 'refused' } });
    const abandoned = await newPayment();
    await control().abandon(abandoned.payment.providerId!);
    expect(await settlePayment(orm.em, provider, tenantId, abandoned.payment.providerId!, 'return')).toMatchObject({ status: 'applied', payment: { state: 'abandoned' } });
  });

  it('ignores and audits an unknown idop, another amount, and a payment made after expiry', async () => {
    await control().setNotificationMode('never', { numcli });
    const forged = await fetch(notificationUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'idop=forgedidop123' });
    expect(forged.status).toBe(200);
    expect(await audits('payment.notification_unknown', 'forgedidop123')).toHaveLength(1);

    // A provider that asks PayFiP for 1 € less than the payment row says.
    const lying: PaymentProvider = { ...provider, name: provider.name, create: (input) => provider.create({ ...input, amount: input.amount - 100 }), verify: (id) => provider.verify(id), cancel: () => provider.cancel('') };
    const short = await newPayment(3_000, { provider: lying });
    await control().pay(short.payment.providerId!, TEST_CARDS.paid);
    expect(await settlePayment(orm.em, provider, tenantId, short.payment.providerId!, 'notification')).toMatchObject({ status: 'mismatch', payment: { state: 'pending' } });
    const [mismatch] = await audits('payment.mismatch', short.payment.reference);
    expect(mismatch.data).toMatchObject({ expected: { amount: 3_000 }, received: { amount: 2_900 } });

    const late = await newPayment();
    expect(await expirePayment(orm.em, tenantId, late.key)).toBe(true);
    expect(await expirePayment(orm.em, tenantId, late.key)).toBe(false);
    await control().pay(late.payment.providerId!, TEST_CARDS.paid);
    expect(await settlePayment(orm.em, provider, tenantId, late.payment.providerId!, 'notification')).toMatchObject({ status: 'paid_after_expiry', payment: { state: 'expired' } });
    expect(await audits('payment.paid_after_expiry', late.payment.reference)).toHaveLength(1);
  });

  it('answers hostile notification bodies with 400 or 200, never a server error, and changes no payment', async () => {
    const before = await orm.em.fork().count(Payment, { tenant: tenantId, state: { $in: ['paid', 'refused', 'abandoned'] } });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.json(), fc.constant('idop=' + 'A'.repeat(5_000))), fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain'), async (body, type) => {
        const response = await notificationRoute(new Request('http://relais.test/n', { method: 'POST', headers: { 'content-type': type }, body }), { params: Promise.resolve({ tenant: tenantSlug }) });
        expect([200, 400]).toContain(response.status);
      }),
      { numRuns: 60 },
    );
    const unknownTenant = await notificationRoute(new Request('http://relais.test/n', { method: 'POST', body: 'idop=abc' }), { params: Promise.resolve({ tenant: 'nulle-part' }) });
    expect(unknownTenant.status).toBe(404);
    expect(await orm.em.fork().count(Payment, { tenant: tenantId, state: { $in: ['paid', 'refused', 'abandoned'] } })).toBe(before);
  });
});
