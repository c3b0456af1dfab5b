import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPresence } from '@/domain/entities';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { liveWorkers, PRESENCE_EXPIRY_MS, renewPresence, withdrawPresence, type WorkerIdentity } from './presence';

let orm: MikroORM;
beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
});
afterAll(() => closeAllORMs());

const worker = (taskQueue: string): WorkerIdentity => ({ id: randomUUID(), taskQueue, host: 'test-host', pid: 4242 });
const at = (start: Date, ms: number) => new Date(start.getTime() + ms);

describe('worker presence', () => {
  it('counts the workers renewed within the expiry, and a clean stop at once', async () => {
    const queue = `presence-${randomUUID()}`;
    const t0 = new Date();
    const [a, b] = [worker(queue), worker(queue)];
    await renewPresence(orm.em.fork(), a, t0);
    await renewPresence(orm.em.fork(), b, t0);
    expect(await liveWorkers(orm.em.fork(), queue, at(t0, 1_000))).toBe(2);
    expect(await liveWorkers(orm.em.fork(), `${queue}-other`, at(t0, 1_000))).toBe(0);

    await withdrawPresence(orm.em.fork(), a.id);
    expect(await liveWorkers(orm.em.fork(), queue, at(t0, 1_000))).toBe(1);
  });

  it('stops counting a worker that is no longer renewed (killed) once the expiry has passed', async () => {
    const queue = `presence-${randomUUID()}`;
    const t0 = new Date();
    const [killed, alive] = [worker(queue), worker(queue)];
    await renewPresence(orm.em.fork(), killed, t0);
    await renewPresence(orm.em.fork(), alive, t0);
    await renewPresence(orm.em.fork(), alive, at(t0, 10_000));
    expect(await liveWorkers(orm.em.fork(), queue, at(t0, PRESENCE_EXPIRY_MS))).toBe(2);
    expect(await liveWorkers(orm.em.fork(), queue, at(t0, PRESENCE_EXPIRY_MS + 1))).toBe(1);
  });

  it('renewing keeps the start time, and deletes the rows of workers gone for a day', async () => {
    const queue = `presence-${randomUUID()}`;
    const t0 = new Date();
    const [gone, alive] = [worker(queue), worker(queue)];
    await renewPresence(orm.em.fork(), gone, at(t0, -25 * 3600_000));
    await renewPresence(orm.em.fork(), alive, at(t0, -60_000));
    const startedAt = (await orm.em.fork().findOneOrFail(WorkerPresence, alive.id)).startedAt;
    await renewPresence(orm.em.fork(), alive, t0);
    const row = await orm.em.fork().findOneOrFail(WorkerPresence, alive.id);
    expect(row.startedAt).toEqual(startedAt);
    expect(row.seenAt).toEqual(t0);
    expect(await orm.em.fork().findOne(WorkerPresence, gone.id)).toBeNull();
  });
});
