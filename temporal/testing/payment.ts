import type { WorkflowHandle } from '@temporalio/client';
import { payfipControlClient } from '@/dev/payfip-simulator/control';
import { TEST_CARDS } from '@/dev/payfip-simulator/simulator';
import { Payment } from '@/domain/entities';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { importTenant, type TenantConfig } from '@/domain/tenant-config/import';
import { paymentSettledSignal } from '@/workflows/process/definitions';
import { eventually } from './fixtures';

/** Pays a request's pending payment with the simulator's accepted card, then notifies the workflow as the notification route does. */
export async function payOnSimulator(handle: WorkflowHandle): Promise<void> {
  const orm = await initORM(env().DATABASE_URL!);
  const payment = await eventually(async () => {
    const found = await orm.em.fork().findOne(Payment, { idempotencyKey: { $like: `${handle.workflowId}:payment:%` } }, { orderBy: { createdAt: 'desc' } });
    if (!found?.providerId) throw new Error('no payment yet');
    return found;
  });
  const control = payfipControlClient(env().PAYFIP_SIMULATOR_URL!);
  if (!(await control.payment(payment.providerId!)).resultrans) await control.pay(payment.providerId!, TEST_CARDS.paid);
  await handle.signal(paymentSettledSignal, { paymentId: payment.providerId!, amount: payment.amount, paidAt: new Date().toISOString() });
}

/**
 * A tenant that sells online through PayFiP (client number `numcli` on the simulator): an Accueil department, the
 * `achat` purchase topic, the products given, and request limits far above a test's size. Returns its id.
 */
export async function importSellingTenant(slug: string, numcli: string, products: NonNullable<TenantConfig['products']>, topics: TenantConfig['topics'] = []): Promise<string> {
  const orm = await initORM(env().DATABASE_URL!);
  await importTenant(orm, {
    slug,
    name: `Commune ${slug}`,
    settings: { organisation: 'decentralised', limits: { perAddressPerHour: 100_000, perContactPerHour: 100_000, perTenantPerHour: 1_000_000 }, payment: { provider: 'payfip', numcli, environment: 'test' } },
    departments: [{ slug: 'accueil', name: 'Accueil' }],
    topics: [...topics, { slug: 'achat', label: 'Achat en ligne', department: 'accueil', delay: 'P1D', kind: 'purchase', process: 'achat' }],
    products,
    agents: [{ email: `admin.${slug}@mairie.test`, name: 'Admin', isAdmin: true }],
  });
  const [{ id }] = await query<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [slug]);
  return id;
}
