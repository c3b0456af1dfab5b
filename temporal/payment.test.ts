import type { MikroORM } from '@mikro-orm/postgresql';
import { beforeAll, describe, expect, it } from 'vitest';
import { POST as notificationRoute } from '@/app/api/v1/t/[tenant]/payments/payfip/notification/route';
import { payfipControlClient } from '@/dev/payfip-simulator/control';
import { TEST_CARDS } from '@/dev/payfip-simulator/simulator';
import { Payment, Product, Tenant } from '@/domain/entities';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import type { ProcessDefinition } from '@/domain/processes/definition';
import { PROCESS_WORKFLOW_TYPE } from '@/domain/processes/workflow-contract';
import { REQUEST_TASK_QUEUE, requestWorkflowId } from '@/domain/requests/contract';
import { createTestTenant, departmentOf, eventsOf, eventually, fileRequest, requestRow, testClient } from '@/temporal/testing/fixtures';
import { callRoute } from '@/temporal/testing/helpers';
import { processInput } from '@/temporal/testing/process';

let orm: MikroORM;
let slug: string;
let tenantId: string;
const control = () => payfipControlClient(env().PAYFIP_SIMULATOR_URL!);

const THEATRE: ProcessDefinition = {
  slug: 'billetterie',
  title: 'Billetterie',
  kind: 'purchase',
  guaranteedDelay: { delay: 'P1D', businessDays: false },
  start: 'payer',
  steps: [
    { id: 'payer', kind: 'collect_payment', label: 'Places de théâtre', amount: 0, product: 'places', quantity: 'int(data.places)', timeout: 'PT2M', paid: 'vendu', unpaid: 'impaye' },
    { id: 'vendu', kind: 'close', label: 'Places vendues', outcome: 'closed' },
    { id: 'impaye', kind: 'close', label: 'Non payé', outcome: 'abandoned' },
  ],
};

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  const numcli = String(100_000 + Math.floor(Math.random() * 899_999));
  const tenant = await createTestTenant({
    payment: { provider: 'payfip', numcli, environment: 'test' },
    products: [{ slug: 'places', label: 'Théâtre', pricing: { kind: 'per_unit', unitPrice: 1_200 }, stock: 5 }],
  });
  slug = tenant.slug;
  tenantId = (await orm.em.fork().getRepository(Tenant).getBySlug(slug)).id;
  // The workers' PUBLIC_URL has no web server here: the test hands PayFiP's notification to the route itself.
  await control().setNotificationMode('never', { numcli });
});

/** A filed request whose workflow is replaced by the ticketing process, as the intake starts it for a purchase form. */
async function purchase(places: number) {
  const email = `acheteur-${Date.now()}@exemple.fr`;
  const { receipt, handle: started } = await fileRequest(slug, { contact: { email } });
  await started.terminate('remplacé par le processus de billetterie');
  const department = await departmentOf(slug, 'accueil');
  const input = processInput(THEATRE, {
    tenantId,
    tenantSlug: slug,
    requestId: (await requestRow(slug, receipt.reference)).id,
    reference: receipt.reference,
    department: { id: department.id, slug: 'accueil' },
    departments: { accueil: { id: department.id, slug: 'accueil' } },
    formData: { places },
    citizen: { email },
  });
  const client = await testClient();
  const handle = await client.workflow.start(PROCESS_WORKFLOW_TYPE, { args: [input], taskQueue: REQUEST_TASK_QUEUE, workflowId: requestWorkflowId(slug, receipt.reference) });
  const payment = await eventually(async () => {
    const found = await orm.em.fork().findOne(Payment, { request: input.requestId, state: 'pending' });
    if (!found) throw new Error('no payment yet');
    return found;
  });
  return { handle, payment };
}

const reserved = async () => (await orm.em.fork().findOneOrFail(Product, { tenant: tenantId, slug: 'places' })).reserved;
const notify = (idop: string) => callRoute(notificationRoute, { tenant: slug }, { method: 'POST', body: { idop } });

describe('online payment through the process workflow', () => {
  it('sells the seats: amount from the catalogue, paid on the simulator, verified on notification, stock confirmed', async () => {
    const { handle, payment } = await purchase(2);
    expect(payment.amount).toBe(2_400);
    expect(await reserved()).toBe(2);
    await control().pay(payment.providerId!, TEST_CARDS.paid);
    expect((await notify(payment.providerId!)).status).toBe(200);
    expect(await handle.result()).toBe('closed');
    expect(await reserved()).toBe(2);
    const events = await eventsOf(payment.request!.id);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['payment_requested', 'payment_received']));
    expect(events.find((e) => e.type === 'payment_requested')?.data).toMatchObject({ amount: 2_400, paymentUrl: expect.stringContaining(`idop=${payment.providerId}`) });
    // A replayed notification after the end changes nothing.
    expect((await notify(payment.providerId!)).status).toBe(200);
    expect((await orm.em.fork().findOneOrFail(Payment, { id: payment.id })).state).toBe('paid');
  });

  it('releases the seats of a refused card and ends the request unpaid', async () => {
    const before = await reserved();
    const { handle, payment } = await purchase(3);
    expect(await reserved()).toBe(before + 3);
    await control().pay(payment.providerId!, TEST_CARDS.refused);
    await notify(payment.providerId!);
    expect(await handle.result()).toBe('closed');
    expect((await orm.em.fork().findOneOrFail(Payment, { id: payment.id })).state).toBe('refused');
    expect(await reserved()).toBe(before);
  });
});
