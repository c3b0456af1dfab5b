import type { MikroORM } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { createProcessActivities } from './process-activities';

/** An ORM stand-in that answers the tenant settings query, and nothing else. */
function ormWith(settings: Record<string, unknown> | undefined): MikroORM {
  const em = { getConnection: () => ({ execute: async () => (settings ? [{ settings }] : []) }), getTransactionContext: () => undefined };
  return { em: { fork: () => em } } as unknown as MikroORM;
}

describe('process activities: a step deadline', () => {
  it('counts business days in the tenant calendar, skipping the weekend and a closure day', async () => {
    const { stepDeadline } = createProcessActivities({ orm: ormWith({ timeZone: 'Europe/Paris', closureDays: ['2026-12-08'] }) });
    // Friday 4 December 2026, 10:00 in Paris: two business days later, Monday 7 then Wednesday 9 (the 8th is closed).
    const from = '2026-12-04T09:00:00.000Z';
    expect(await stepDeadline({ tenantId: 't', from, delay: 'P2D', businessDays: true })).toEqual({ from, dueAt: '2026-12-09T09:00:00.000Z' });
    expect(await stepDeadline({ tenantId: 't', from, delay: 'P2D', businessDays: false })).toEqual({ from, dueAt: '2026-12-06T09:00:00.000Z' });
  });

  it('refuses a delay it cannot count, without retrying', async () => {
    const { stepDeadline } = createProcessActivities({ orm: ormWith({ timeZone: 'Europe/Paris' }) });
    await expect(stepDeadline({ tenantId: 't', from: '2026-12-04T09:00:00.000Z', delay: 'P1M', businessDays: true })).rejects.toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    const missing = createProcessActivities({ orm: ormWith(undefined) });
    await expect(missing.stepDeadline({ tenantId: 't', from: '2026-12-04T09:00:00.000Z', delay: 'P1D', businessDays: true })).rejects.toMatchObject({ type: 'UnknownRequest' });
  });
});
