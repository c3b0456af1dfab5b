import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createRateBucket } from './rate-bucket';

afterAll(() => closeAllORMs());

const row = async (account: string) => {
  const orm = await initORM(env().DATABASE_URL!);
  const [bucket] = await query<{ tokens: number; held: boolean }>(
    orm.em.fork(),
    'select tokens, coalesce(emergency_until > clock_timestamp(), false) as held from sms_rate_bucket where account = ?',
    [account],
  );
  return bucket;
};

describe('the SMS token bucket of an operator account (PostgreSQL)', () => {
  it('grants the burst at once, lets a citizen notification go into debt (at most a second of traffic), and shares one row between buckets of the same account', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const account = `test-${randomUUID()}@127.0.0.1:2775`;
    // Two workers' buckets for the same account, one SMS per second (the refill between statements stays small), a burst of 3.
    const [a, b] = [createRateBucket({ orm, account, ratePerSecond: 1, burst: 3 }), createRateBucket({ orm, account, ratePerSecond: 1, burst: 3 })];
    await a.take(2, 'campaign');
    await b.take(1, 'campaign');
    expect((await row(account)).tokens).toBeLessThan(1);
    // Debt goes down to one second of traffic at most.
    await a.debit(4);
    expect((await row(account)).tokens).toBeLessThan(-0.5);
    await b.debit(100);
    expect((await row(account)).tokens).toBeGreaterThanOrEqual(-1);
    expect((await row(account)).held).toBe(false);
  });

  it('marks the account while an emergency campaign takes tokens, so that ordinary campaigns wait behind it', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const account = `test-${randomUUID()}@127.0.0.1:2775`;
    const bucket = createRateBucket({ orm, account, ratePerSecond: 50, burst: 1 });
    await bucket.take(1, 'emergency');
    expect((await row(account)).held).toBe(true);
  });

  it('takes no token and writes nothing without a limit (rate=Infinity)', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const account = `test-${randomUUID()}@127.0.0.1:2775`;
    const bucket = createRateBucket({ orm, account, ratePerSecond: Infinity });
    await bucket.take(1_000, 'campaign');
    await bucket.debit(1_000);
    expect(await row(account)).toBeUndefined();
  });
});
