import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { beforeAll, describe, expect, it } from 'vitest';
import { payfipControlClient } from '@/dev/payfip-simulator/control';
import { TEST_CARDS } from '@/dev/payfip-simulator/simulator';
import { Payment, Product, Tenant } from '@/domain/entities';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { createPayment, paymentReference } from '@/domain/payments/payments';
import { paymentProviderFor } from '@/integrations/payment';
import { createTestTenant, fileRequest, requestRow } from '@/temporal/testing/fixtures';
import { createPaymentActivities, type StartPaymentInput } from './payment-activities';

let orm: MikroORM;
let tenantId: string;
let requestId: string;
let reference: string;
let numcli: string;
const control = () => payfipControlClient(env().PAYFIP_SIMULATOR_URL!);
let activities: ReturnType<typeof createPaymentActivities>;

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  numcli = String(100_000 + Math.floor(Math.random() * 899_999));
  const tenant = await createTestTenant({
    payment: { provider: 'payfip', numcli, environment: 'test' },
    products: [
      { slug: 'places', label: 'Places du concert', pricing: { kind: 'per_unit', unitPrice: 1_500 }, stock: 3 },
      { slug: 'cantine', label: 'Cantine', pricing: { kind: 'bracket', field: 'qf', brackets: [{ upTo: 600, unitPrice: 200 }, { unitPrice: 450 }] } },
    ],
  });
  tenantId = (await orm.em.fork().getRepository(Tenant).getBySlug(tenant.slug)).id;
  const { receipt } = await fileRequest(tenant.slug, { contact: { email: 'jeanne@exemple.fr' } });
  reference = receipt.reference;
  requestId = (await requestRow(tenant.slug, reference)).id;
  activities = createPaymentActivities({ orm, providerFor: paymentProviderFor, publicUrl: 'http://relais.test' });
  await control().setNotificationMode('never', { numcli });
});

let attempt = 0;
const input = (overrides: Partial<StartPaymentInput>): StartPaymentInput => {
  attempt += 1;
  return { tenantId, requestId, requestReference: reference, key: `process:${randomUUID()}:pay`, attempt, label: 'Concert', email: 'jeanne@exemple.fr', expiresInMs: 20 * 60_000, ...overrides };
};
const reserved = async () => (await orm.em.fork().findOneOrFail(Product, { tenant: tenantId, slug: 'places' })).reserved;

describe('payment activities', () => {
  it('prices from the catalogue, holds the seats, and confirms them once PayFiP says paid; a retry creates nothing more', async () => {
    const request = input({ product: 'places', quantity: 2, amount: 1 });
    const started = await activities.startPayment(request);
    expect(started).toMatchObject({ kind: 'created', amount: 3_000 });
    expect(await activities.startPayment(request)).toEqual(started);
    expect(await reserved()).toBe(2);
    const payment = await orm.em.fork().findOneOrFail(Payment, { idempotencyKey: request.key }, { populate: ['request'] });
    expect(payment.request?.id).toBe(requestId);
    expect(payment.reference).toMatch(/^[A-Z0-9]{6,30}$/);

    expect(await activities.checkPayment({ tenantId, key: request.key })).toMatchObject({ state: 'pending', final: false });
    if (started.kind !== 'created') throw new Error('not created');
    await control().pay(started.providerId, TEST_CARDS.paid);
    expect(await activities.checkPayment({ tenantId, key: request.key })).toMatchObject({ state: 'paid', final: true, amount: 3_000 });
    expect(await activities.expireUnpaid({ tenantId, key: request.key })).toMatchObject({ state: 'paid' });
    expect(await reserved()).toBe(2);
  });

  it('refuses clearly when the stock cannot serve, and releases the seats of a refused or expired payment', async () => {
    expect(await activities.startPayment(input({ product: 'places', quantity: 2 }))).toEqual({
      kind: 'refused',
      reason: 'sold_out',
      message: 'Il ne reste qu’une place pour « Places du concert » : vous en demandez 2.',
    });
    const refused = input({ product: 'places', quantity: 1 });
    const started = await activities.startPayment(refused);
    if (started.kind !== 'created') throw new Error('not created');
    expect(await reserved()).toBe(3);
    await control().pay(started.providerId, TEST_CARDS.refused);
    expect(await activities.checkPayment({ tenantId, key: refused.key })).toMatchObject({ state: 'refused', final: true });
    expect(await reserved()).toBe(2);

    const unpaid = input({ product: 'places', quantity: 1 });
    await activities.startPayment(unpaid);
    expect(await reserved()).toBe(3);
    expect(await activities.expireUnpaid({ tenantId, key: unpaid.key })).toMatchObject({ state: 'expired', final: true });
    expect(await reserved()).toBe(2);
  });

  it('prices a bracket from the form data, takes a step amount without product, and fails for bad input without retrying', async () => {
    expect(await activities.startPayment(input({ product: 'cantine', quantity: 10, data: { qf: 580 } }))).toMatchObject({ kind: 'created', amount: 2_000 });
    const long = await activities.startPayment(input({ amount: 15_000, expiresInMs: 15 * 24 * 3_600_000 }));
    expect(long).toMatchObject({ kind: 'created', amount: 15_000 });
    // A PayFiP page lives minutes, not the step's 15 days: one payment's window is the default 20 minutes.
    if (long.kind === 'created') expect(Date.parse(long.expiresAt) - Date.now()).toBeLessThanOrEqual(20 * 60_000);
    await expect(activities.startPayment(input({ product: 'cantine', data: {} }))).rejects.toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    await expect(activities.startPayment(input({ product: 'inconnu' }))).rejects.toMatchObject({ type: 'InvalidInput' });
    await expect(activities.startPayment(input({}))).rejects.toMatchObject({ type: 'InvalidInput' });
  });

  it('keeps the amount of a purchase registered before the step, even when the price changed in between', async () => {
    // What POST /purchases registers before the workflow's step starts: 2 tickets at the first bracket's price.
    const purchase = input({ product: 'cantine', quantity: 2, data: { qf: 100 } });
    const registered = await createPayment(orm.em, paymentProviderFor({ provider: 'payfip', numcli, environment: 'test' }), {
      tenantId, key: purchase.key, reference: paymentReference(reference, purchase.attempt), amount: 400, label: 'Cantine', email: 'jeanne@exemple.fr',
      notificationUrl: 'http://relais.test/notification', returnUrl: 'http://relais.test/retour', expiresAt: new Date(Date.now() + 20 * 60_000), requestId,
    });
    await orm.em.fork().nativeUpdate(Product, { tenant: tenantId, slug: 'cantine' }, { pricing: { kind: 'bracket', field: 'qf', brackets: [{ upTo: 600, unitPrice: 900 }, { unitPrice: 950 }] } });
    expect(await activities.startPayment(purchase)).toMatchObject({ kind: 'created', amount: 400, providerId: registered.providerId });
    // A payment the step creates itself takes the new price.
    expect(await activities.startPayment(input({ product: 'cantine', quantity: 2, data: { qf: 100 } }))).toMatchObject({ kind: 'created', amount: 1_800 });
  });

  it('leaves a tenant without online payment to pay offline', async () => {
    const other = await createTestTenant();
    const otherId = (await orm.em.fork().getRepository(Tenant).getBySlug(other.slug)).id;
    expect(await activities.startPayment(input({ tenantId: otherId, amount: 6_000 }))).toEqual({ kind: 'offline', amount: 6_000 });
  });
});
