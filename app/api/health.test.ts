import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPresence } from '@/domain/entities';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { liveWorkers, PRESENCE_EXPIRY_MS } from '@/domain/workers/presence';
import { startWorkerProcess } from '@/temporal/testing/services';
import { GET } from './health/route';

afterAll(() => closeAllORMs());

function workerEnv(taskQueue: string): Record<string, string> {
  const e = env();
  return { DATABASE_URL: e.DATABASE_URL!, TEMPORAL_ADDRESS: e.TEMPORAL_ADDRESS!, SMTP_URL: e.SMTP_URL!, PUBLIC_URL: e.PUBLIC_URL, TEMPORAL_TASK_QUEUE: taskQueue };
}

describe('GET /api/health', () => {
  it('reports every dependency green when the stack runs', async () => {
    const response = await GET();
    const body = await response.json();
    expect(body.checks.database).toMatchObject({ ok: true });
    expect(body.checks.database.detail).toMatch(/^PostgreSQL \d+/);
    expect(body.checks.temporal.detail).toMatch(/^Temporal server 1\.\d+\S* \(persistence sqlite, visibility sqlite\)$/);
    expect(body.checks.worker).toMatchObject({ ok: true });
    expect(body.checks.worker.detail).toMatch(new RegExp(`^\\d+ worker\\(s\\) running on ${env().TEMPORAL_TASK_QUEUE} \\(Temporal lists \\d+ poller\\(s\\)\\)$`));
    expect(body.checks.smtp).toMatchObject({ ok: true });
    expect(response.status).toBe(200);
    expect(body.status).toBe('ok');
  });

  it('counts live worker processes: one stopped cleanly at once, one killed once its presence expires', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const queue = `relais-health-${randomUUID().slice(0, 8)}`;
    const first = await startWorkerProcess(workerEnv(queue));
    const second = await startWorkerProcess(workerEnv(queue));
    try {
      expect(await liveWorkers(orm.em.fork(), queue)).toBe(2);
      await second.stop();
      expect(await liveWorkers(orm.em.fork(), queue)).toBe(1);

      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      const [killed] = await orm.em.fork().find(WorkerPresence, { taskQueue: queue });
      expect(killed.pid).toBe(first.child.pid);
      // A killed worker cannot withdraw: it counts until its last renewal is older than the expiry, then no more.
      expect(await liveWorkers(orm.em.fork(), queue, new Date(killed.seenAt.getTime() + PRESENCE_EXPIRY_MS))).toBe(1);
      expect(await liveWorkers(orm.em.fork(), queue, new Date(killed.seenAt.getTime() + PRESENCE_EXPIRY_MS + 1))).toBe(0);
    } finally {
      await first.stop();
      await second.stop();
    }
  }, 180_000);
});
