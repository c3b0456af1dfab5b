import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { requestWorkflowStarter } from '@/temporal/client';
import { watchPendingStarts } from '@/temporal/pending-starts';
import { createTestTenant, eventsOf, eventually, testClient } from '@/temporal/testing/fixtures';
import { citizenEmail, mailTo, waitForMail } from '@/temporal/testing/helpers';
import { REQUEST_TASK_QUEUE, requestWorkflowId } from '@/workflows/request/definitions';
import { env } from '@/domain/env';
import { closeAllORMs, initORM, ormOptions } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createIntake, type IntakeReceipt } from './submission';
import { type StartRequestInput } from './start-input';
import { recordPendingStart, startPendingWorkflows } from './workflow-start';

// Requests whose subject starts with this marker fail at COMMIT, through a deferred constraint trigger: a real
// PostgreSQL commit failure, after every statement of the intake transaction succeeded.
const COMMIT_REFUSED = `commit-refuse-${randomUUID().slice(0, 8)}`;
const TRIGGER = `refuse_commit_${randomUUID().slice(0, 8)}`;
const year = new Date().getUTCFullYear();
const nth = (n: number) => `${year}-${String(n).padStart(6, '0')}`;

let orm: MikroORM;
const realStarter = () => requestWorkflowStarter({ address: env().TEMPORAL_ADDRESS!, namespace: env().TEMPORAL_NAMESPACE });

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  const em = orm.em.fork();
  await query(em, `create function ${TRIGGER}() returns trigger language plpgsql as $$ begin raise exception 'commit refused for the test'; end $$`);
  await query(
    em,
    `create constraint trigger ${TRIGGER} after insert on request deferrable initially deferred for each row
       when (new.subject like '${COMMIT_REFUSED}%') execute function ${TRIGGER}()`,
  );
});

afterAll(async () => {
  const em = orm.em.fork();
  await query(em, `drop trigger if exists ${TRIGGER} on request`);
  await query(em, `drop function if exists ${TRIGGER}()`);
  await closeAllORMs();
});

async function workflowExists(tenantSlug: string, reference: string): Promise<boolean> {
  const handle = (await testClient()).workflow.getHandle(requestWorkflowId(tenantSlug, reference));
  return handle.describe().then(
    () => true,
    (error: unknown) => {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    },
  );
}

async function tenantState(tenantSlug: string) {
  const em = orm.em.fork();
  const [row] = await query<{ requests: number; pending: number; counter: number | null; references: string[] | null }>(
    em,
    `select (select count(*)::int from request r where r.tenant_id = t.id) as requests,
            (select count(*)::int from request_workflow_start s where s.tenant_id = t.id) as pending,
            (select value from reference_counter c where c.tenant_id = t.id and c.year = ?) as counter,
            (select array_agg(reference order by reference) from request r where r.tenant_id = t.id) as references
       from tenant t where t.slug = ?`,
    [year, tenantSlug],
  );
  return row;
}

/** A port nothing listens on: Temporal is "down". */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const body = (subject: string, email = citizenEmail()) => ({ topic: 'question', subject, message: 'Bonjour, une question.', contact: { email } });

describe('intake transaction and workflow start', () => {
  it('leaves no request, no number and no workflow when the commit fails', async () => {
    const tenant = await createTestTenant();
    const intake = createIntake({ orm, publicUrl: env().PUBLIC_URL, startWorkflow: realStarter() });

    await expect(intake.submitRequest(tenant.slug, body(`${COMMIT_REFUSED} demande`))).rejects.toThrow(/commit refused for the test/);
    expect(await tenantState(tenant.slug)).toMatchObject({ requests: 0, pending: 0, counter: null });
    // The number the refused request held during its transaction was never given a workflow.
    expect(await workflowExists(tenant.slug, nth(1))).toBe(false);

    const receipt = await intake.submitRequest(tenant.slug, body('Une vraie demande'));
    expect(receipt.reference).toBe(nth(1));
    expect(await workflowExists(tenant.slug, nth(1))).toBe(true);
    expect(await tenantState(tenant.slug)).toMatchObject({ requests: 1, pending: 0, counter: 1 });
  });

  it('gives the receipt of a committed request even when the database goes away right after the commit', async () => {
    const tenant = await createTestTenant();
    // An ORM of its own, whose pool the start closes: every later query of the intake fails as with PostgreSQL stopped.
    const doomed = await MikroORM.init(ormOptions(env().DATABASE_URL!));
    const starter = realStarter();
    const intake = createIntake({
      orm: doomed,
      publicUrl: env().PUBLIC_URL,
      startWorkflow: async (input) => {
        await starter(input);
        await doomed.close(true);
      },
    });

    const outcome = await intake.submitPublicRequest(tenant.slug, body('Juste avant la panne'), 'web', { clientAddress: '203.0.113.7' });
    expect(outcome).toMatchObject({ duplicate: false, reference: nth(1), trackingCode: expect.any(String) });
    expect(await tenantState(tenant.slug)).toMatchObject({ requests: 1, counter: 1 });
    expect(await workflowExists(tenant.slug, nth(1))).toBe(true);
  });

  it('keeps the request when the start fails after the commit, and the recovery starts its workflow once', async () => {
    const tenant = await createTestTenant();
    const email = citizenEmail();
    const failures: Array<{ error: unknown; input: StartRequestInput }> = [];
    const down = requestWorkflowStarter({ address: `127.0.0.1:${await closedPort()}`, namespace: env().TEMPORAL_NAMESPACE });
    const intake = createIntake({ orm, publicUrl: env().PUBLIC_URL, startWorkflow: down, onStartFailure: (error, input) => failures.push({ error, input }) });

    const receipt = await intake.submitRequest(tenant.slug, body('Temporal injoignable', email));
    // The citizen still gets the full receipt.
    expect(receipt).toMatchObject({ reference: nth(1), trackingCode: expect.any(String), dueAt: expect.any(String) });
    expect(failures).toHaveLength(1);
    expect(await tenantState(tenant.slug)).toMatchObject({ requests: 1, pending: 1, counter: 1 });
    expect(await workflowExists(tenant.slug, receipt.reference)).toBe(false);

    const first = await startPendingWorkflows({ orm, startWorkflow: realStarter(), olderThanMs: 0 });
    expect(first.started).toBeGreaterThanOrEqual(1);
    expect(await tenantState(tenant.slug)).toMatchObject({ pending: 0 });
    const handle = (await testClient()).workflow.getHandle(requestWorkflowId(tenant.slug, receipt.reference));
    const { runId } = await handle.describe();

    // A crash between the start and the removal of the pending row: the next recovery starts the same workflow again.
    await recordPendingStart(orm.em.fork(), failures[0].input.tenantId, failures[0].input);
    await startPendingWorkflows({ orm, startWorkflow: realStarter(), olderThanMs: 0 });
    expect((await handle.describe()).runId).toBe(runId);
    expect(await tenantState(tenant.slug)).toMatchObject({ pending: 0 });

    const [ack] = await waitForMail(email, (m) => m.subject!.includes('a bien été reçue'));
    expect(ack.text).toContain(receipt.trackingCode);
    const requestId = failures[0].input.requestId;
    await eventually(async () => expect((await eventsOf(requestId)).map((e) => e.type)).toEqual(['received']));
    const runs = [];
    for await (const run of (await testClient()).workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs.push(run.runId);
    expect(runs).toEqual([runId]);
    expect(await mailTo(email)).toHaveLength(1);
  });

  it("has a stranded start picked up by the worker's periodic recovery", async () => {
    const tenant = await createTestTenant();
    const intake = createIntake({ orm, publicUrl: env().PUBLIC_URL, startWorkflow: () => Promise.reject(new Error('Temporal arrêté')), onStartFailure: () => undefined });
    const receipt = await intake.submitRequest(tenant.slug, body('Reprise par le worker'));
    expect(await workflowExists(tenant.slug, receipt.reference)).toBe(false);

    const watcher = watchPendingStarts({
      orm,
      temporal: { address: env().TEMPORAL_ADDRESS!, namespace: env().TEMPORAL_NAMESPACE },
      taskQueue: REQUEST_TASK_QUEUE,
      logger: pino({ level: 'silent' }),
      intervalMs: 200,
      olderThanMs: 0,
    });
    try {
      await eventually(async () => expect(await tenantState(tenant.slug)).toMatchObject({ pending: 0 }));
    } finally {
      await watcher.stop();
    }
    expect(await workflowExists(tenant.slug, receipt.reference)).toBe(true);
  });

  it('never lets the worker see a request before it is stored, under a burst of 50 intakes', async () => {
    const tenant = await createTestTenant();
    const intake = createIntake({ orm, publicUrl: env().PUBLIC_URL, startWorkflow: realStarter() });
    const receipts = await Promise.all(Array.from({ length: 50 }, (_, i) => intake.submitRequest(tenant.slug, body(`Rafale ${i}`))));
    expect(new Set(receipts.map((r) => r.reference)).size).toBe(50);

    const client = await testClient();
    const requests = await query<{ id: string; reference: string }>(
      orm.em.fork(),
      'select r.id, r.reference from request r join tenant t on t.id = r.tenant_id where t.slug = ?',
      [tenant.slug],
    );
    expect(requests).toHaveLength(50);
    for (const request of requests) {
      // Each workflow projected its "received" event exactly once, on the first try.
      await eventually(async () => expect((await eventsOf(request.id)).map((e) => e.type)).toEqual(['received']));
      const history = await client.workflow.getHandle(requestWorkflowId(tenant.slug, request.reference)).fetchHistory();
      const failed = (history.events ?? []).filter(
        (e) => e.activityTaskFailedEventAttributes || e.workflowTaskFailedEventAttributes || (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
      );
      expect(failed).toEqual([]);
    }
    expect(await tenantState(tenant.slug)).toMatchObject({ pending: 0, counter: 50 });
  });

  it('numbers references without a gap under a mix of refused and accepted bodies', async () => {
    const tenant = await createTestTenant();
    const intake = createIntake({ orm, publicUrl: env().PUBLIC_URL, startWorkflow: realStarter() });
    const kinds = Array.from({ length: 40 }, (_, i) => (['accepted', 'commit-refused', 'invalid', 'no-reply-contact'] as const)[i % 4]);
    const outcomes = await Promise.allSettled(
      kinds.map((kind, i): Promise<IntakeReceipt> => {
        if (kind === 'accepted') return intake.submitRequest(tenant.slug, body(`Acceptée ${i}`));
        if (kind === 'commit-refused') return intake.submitRequest(tenant.slug, body(`${COMMIT_REFUSED} ${i}`));
        if (kind === 'invalid') return intake.submitRequest(tenant.slug, { topic: 'question', subject: '', contact: {} });
        return intake.submitRequest(tenant.slug, { ...body(`Sans courriel ${i}`), contact: { phone: '0612345678' }, channel: 'email' });
      }),
    );
    const accepted = outcomes.filter((o): o is PromiseFulfilledResult<IntakeReceipt> => o.status === 'fulfilled');
    expect(accepted).toHaveLength(10);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(30);

    const state = await tenantState(tenant.slug);
    const expected = Array.from({ length: 10 }, (_, i) => nth(i + 1));
    expect(state.references).toEqual(expected);
    expect(accepted.map((o) => o.value.reference).sort()).toEqual(expected);
    expect(state).toMatchObject({ requests: 10, pending: 0, counter: 10 });
  });
});
