import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { newId } from '@/temporal/testing/cli';
import { personalDataOf, seedRequest, tenantIdOf, type SeededRequest } from '@/temporal/testing/privacy';
import { query } from '@/domain/sql';
import { createTestTenant, eventually, testClient } from '@/temporal/testing/fixtures';
import { RETENTION_HISTORIES_DIR, keepHistory } from '@/temporal/testing/histories';
import { startWorkerProcess } from '@/temporal/testing/services';
import { retentionWorkflowId, type RetentionHeartbeat, type RetentionResult } from './definitions';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
afterAll(() => closeAllORMs());

function workerEnv(taskQueue: string): Record<string, string> {
  const e = env();
  return { DATABASE_URL: e.DATABASE_URL!, TEMPORAL_ADDRESS: e.TEMPORAL_ADDRESS!, SMTP_URL: e.SMTP_URL!, PUBLIC_URL: e.PUBLIC_URL, TEMPORAL_TASK_QUEUE: taskQueue };
}

describe('retention after a worker kill', () => {
  it('resumes where the committed batches stopped: nothing lost, nothing done or counted twice', async () => {
    const queue = `relais-retention-kill-${newId().slice(0, 8)}`;
    const { slug } = await createTestTenant();
    const tenantId = await tenantIdOf(await em(), slug);
    // Twelve requests due for anonymisation (closed 30 to 31 months ago, oldest first), one that is not.
    const due: SeededRequest[] = [];
    for (let i = 0; i < 12; i++) due.push(await seedRequest(await em(), slug, tenantId, { state: 'closed', monthsAgo: 31 - i * 0.05 }));
    const recent = await seedRequest(await em(), slug, tenantId, { state: 'closed', monthsAgo: 3 });

    // The newest due request is held by another transaction: the run's last anonymisation batch waits on it, so the
    // worker is surely killed mid-run, after the first batches were committed and heartbeated.
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = (await em()).transactional(async (tx) => {
      await query(tx, 'select id from request where id = ? for update', [due[11].id]);
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await isLocked;

    let worker = await startWorkerProcess(workerEnv(queue));
    const client = await testClient();
    const workflowId = retentionWorkflowId(slug, `kill-${newId().slice(0, 8)}`);
    const handle = await client.workflow.start('retentionWorkflow', { taskQueue: queue, workflowId, args: [{ tenantId, tenantSlug: slug, batchSize: 3 }] });
    const entries = async () =>
      query<{ references: string[]; requests: number }>(
        await em(),
        `select data->'references' as references, (data->'counts'->>'requests')::int as requests from audit_log
          where tenant_id = ? and action = 'privacy.anonymise' and data->>'run' = ?`,
        [tenantId, workflowId],
      );

    try {
      const heartbeat = await eventually(async () => {
        expect(await entries()).toHaveLength(3);
        const [pending] = (await handle.describe()).raw.pendingActivities ?? [];
        const payload = pending?.heartbeatDetails?.payloads?.[0];
        expect(payload).toBeDefined();
        const details = defaultPayloadConverter.fromPayload<RetentionHeartbeat>(payload!);
        expect(details.category).toBe('requests');
        return details;
      }, 60_000);
      expect(heartbeat.batches).toBeGreaterThanOrEqual(1);

      worker.child.kill('SIGKILL');
      await new Promise((resolve) => worker.child.once('exit', resolve));
      release();
      await holder;
      worker = await startWorkerProcess(workerEnv(queue));

      const result: RetentionResult = await handle.result();
      await keepHistory('retention-after-worker-kill', handle, RETENTION_HISTORIES_DIR);
      expect(result.counts).toMatchObject({ requestsAnonymised: 12, attachmentsDeleted: 12, documentsDeleted: 12, notificationsDeleted: 12, smsDeleted: 12, smsInboundDeleted: 12 });

      // Each request was anonymised by exactly one committed batch, and the counts add up to the twelve.
      const done = await entries();
      const references = done.flatMap((e) => e.references);
      expect(references.sort()).toEqual(due.map((r) => r.reference).sort());
      expect(done.reduce((n, e) => n + e.requests, 0)).toBe(12);
      for (const r of due) expect((await personalDataOf(await em(), r)).traces, r.reference).toBe(0);
      expect((await personalDataOf(await em(), recent)).request.anonymised_at).toBeNull();

      // The kill really cut an attempt: the anonymisation activity ran again.
      const history = await handle.fetchHistory();
      const attempts = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
      expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
    } finally {
      release?.();
      await holder.catch(() => undefined);
      await worker.stop();
    }
  }, 180_000);
});
