import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { actorFor, createTestTenant, eventually, fileRequest } from './testing/fixtures';
import { citizenEmail, mailTo } from './testing/helpers';
import { startWorkerProcess } from './testing/services';
import { answerRequestUpdate } from '@/workflows/request/definitions';

afterAll(() => closeAllORMs());

function workerEnv(taskQueue: string): Record<string, string> {
  const e = env();
  return {
    DATABASE_URL: e.DATABASE_URL!,
    TEMPORAL_ADDRESS: e.TEMPORAL_ADDRESS!,
    SMTP_URL: e.SMTP_URL!,
    PUBLIC_URL: e.PUBLIC_URL,
    TEMPORAL_TASK_QUEUE: taskQueue,
  };
}

async function notificationStatuses(tenantSlug: string, template?: string): Promise<Record<string, number>> {
  const orm = await initORM(env().DATABASE_URL!);
  const rows = await query<{ status: string; n: number }>(
    orm.em.fork(),
    `select n.status, count(*)::int as n from notification n join tenant t on t.id = n.tenant_id
      where t.slug = ? and (?::text is null or n.template = ?) group by n.status`,
    [tenantSlug, template ?? null, template ?? null],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

describe('worker crash', () => {
  it('completes every request after a SIGKILL mid-way, and never sends an e-mail twice', async () => {
    const queue = `relais-crash-${randomUUID().slice(0, 8)}`;
    const tenant = await createTestTenant();
    let worker = await startWorkerProcess(workerEnv(queue));
    const citizens = Array.from({ length: 12 }, () => citizenEmail('crash'));

    const first = await Promise.all(citizens.slice(0, 8).map((email) => fileRequest(tenant.slug, { contact: { email } }, queue)));
    // Killed as soon as the worker has begun the first notices, without waiting for any request to finish.
    await eventually(async () => expect(Object.keys(await notificationStatuses(tenant.slug))).not.toHaveLength(0), 20_000, 10);
    worker.child.kill('SIGKILL');
    await new Promise((resolve) => worker.child.once('exit', resolve));
    // Requests keep arriving while no worker runs: Temporal holds them.
    const second = await Promise.all(citizens.slice(8).map((email) => fileRequest(tenant.slug, { contact: { email } }, queue)));

    worker = await startWorkerProcess(workerEnv(queue));
    try {
      const agent = await actorFor(tenant.slug, tenant.mail('agent'));
      for (const { handle } of [...first, ...second]) {
        await handle.executeUpdate(answerRequestUpdate, { args: [{ actor: agent, body: 'Réponse après incident.' }] });
      }
      await eventually(async () => {
        const statuses = await notificationStatuses(tenant.slug);
        expect(statuses.pending ?? 0).toBe(0);
        expect(statuses.sending ?? 0).toBe(0);
        expect(statuses.failed ?? 0).toBe(0);
        // An acknowledgement whose attempt died with the worker is retried once its start-to-close timeout has passed:
        // until then it may have no row at all, and the answers can arrive before it.
        const acks = await notificationStatuses(tenant.slug, 'acknowledgement');
        expect((acks.sent ?? 0) + (acks.uncertain ?? 0)).toBe(citizens.length);
      }, 90_000);
      const statuses = await notificationStatuses(tenant.slug);
      let delivered = 0;
      for (const email of citizens) {
        const mails = await mailTo(email);
        const acks = mails.filter((m) => m.subject!.includes('a bien été reçue'));
        const answers = mails.filter((m) => m.subject!.includes('réponse à votre demande'));
        expect(acks.length, email).toBeLessThanOrEqual(1);
        expect(answers, email).toHaveLength(1);
        delivered += acks.length;
      }
      // A send cut off by the crash is marked uncertain and never repeated: it may or may not have reached the server.
      expect(delivered).toBeGreaterThanOrEqual(citizens.length - (statuses.uncertain ?? 0));
      const arrivals = (await mailTo(tenant.mail('agent'))).filter((m) => m.subject!.includes('Nouvelle demande'));
      expect(new Set(arrivals.map((m) => m.subject)).size).toBe(arrivals.length);
    } finally {
      await worker.stop();
    }
  }, 180_000);
});
