import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, describe, expect, it } from 'vitest';
import { createSubmissionLimiter } from './submission-limiter';
import { env } from '@/domain/env';
import { closeAllORMs, initORM, ormOptions } from '@/domain/orm';

afterAll(() => closeAllORMs());

const store = async () => (await initORM(env().DATABASE_URL!)).em.getConnection().getKnex();

describe('portal submission limits kept in PostgreSQL', () => {
  it('are shared by every web process and outlive a restart', async () => {
    // A fresh address per run: the table keeps its rows for the window.
    const address = `198.51.100.${randomUUID()}`;
    const first = createSubmissionLimiter({ perIp: 2, perContact: 10, windowSeconds: 60, store });
    const second = createSubmissionLimiter({ perIp: 2, perContact: 10, windowSeconds: 60, store });

    await first.consume(address, []);
    await second.consume(address, []);
    await expect(first.consume(address, [])).rejects.toMatchObject({ reason: 'rate-ip', retryAfterSeconds: expect.any(Number) });
    const restarted = createSubmissionLimiter({ perIp: 2, perContact: 10, windowSeconds: 60, store });
    await expect(restarted.consume(address, [])).rejects.toMatchObject({ reason: 'rate-ip' });

    const knex = await store();
    const [row] = await knex('portal_rate_limit').where({ key: `portal-ip:${address}` });
    expect(row).toMatchObject({ points: 4 });
    expect(Number(row.expire)).toBeGreaterThan(Date.now());
  });

  it('fall back to counting in memory when the database fails, neither refusing nor failing every citizen', async () => {
    const orm = await MikroORM.init(ormOptions(env().DATABASE_URL!));
    const knex = orm.em.getConnection().getKnex();
    await orm.close(true);
    const limiter = createSubmissionLimiter({ perIp: 1, perContact: 10, windowSeconds: 60, store: async () => knex });

    await limiter.consume('203.0.113.7', ['a@b.fr']);
    await expect(limiter.consume('203.0.113.7', ['c@d.fr'])).rejects.toMatchObject({ reason: 'rate-ip' });
  });
});
