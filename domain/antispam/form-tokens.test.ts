import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createFormTokenLedger } from './form-tokens';

afterAll(() => closeAllORMs());

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
const inAnHour = () => new Date(Date.now() + 3600_000);

describe('single-use portal form tokens kept in PostgreSQL', () => {
  it('accept a token once, again after it is given back, and refuse it to another web process', async () => {
    const token = `token-${randomUUID()}`;
    const first = createFormTokenLedger(em);
    const second = createFormTokenLedger(em);
    await first.claim(token, inAnHour());
    await expect(second.claim(token, inAnHour())).rejects.toMatchObject({ reason: 'token-used' });
    await first.release(token);
    await second.claim(token, inAnHour());
    await expect(first.claim(token, inAnHour())).rejects.toMatchObject({ reason: 'token-used' });
  });

  it('let exactly one of twenty simultaneous claims of one token through', async () => {
    const token = `token-${randomUUID()}`;
    const ledgers = Array.from({ length: 20 }, () => createFormTokenLedger(em));
    const outcomes = await Promise.allSettled(ledgers.map((l) => l.claim(token, inAnHour())));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused).toHaveLength(19);
    for (const r of refused) expect(r.reason).toMatchObject({ reason: 'token-used' });
  });

  it('forget expired tokens', async () => {
    const expired = `token-${randomUUID()}`;
    const ledger = createFormTokenLedger(em);
    await ledger.claim(expired, new Date(Date.now() - 1000)).catch(() => undefined);
    await ledger.claim(`token-${randomUUID()}`, inAnHour());
    const [row] = await query<{ n: number }>(await em(), 'select count(*)::int as n from form_token_use where expires_at < now()');
    expect(row.n).toBe(0);
  });
});
