import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { writeAudit } from './log';
import { purgeExpiredAudit } from './purge';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let tenantId: string;

/** An entry dated `years` ago (an INSERT is always allowed: the trail only grows). */
async function entryAged(years: number): Promise<string> {
  const id = randomUUID();
  await query(await em(), `insert into audit_log (id, tenant_id, action, target, outcome, data, at) values (?, ?, 'case.view', 'R-1', 'ok', '{}', now() - make_interval(years => ?, days => 1))`, [
    id, tenantId, years,
  ]);
  return id;
}
const exists = async (id: string) => (await query(await em(), 'select 1 from audit_log where id = ?', [id])).length === 1;

beforeAll(async () => {
  const tenant = await createTestTenant();
  [{ id: tenantId }] = await query<{ id: string }>(await em(), 'select id from tenant where slug = ?', [tenant.slug]);
});
afterAll(() => closeAllORMs());

describe('audit_log is append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await writeAudit(await em(), { tenantId, action: 'auth.login', target: 'a@mairie.test' });
    const old = await entryAged(6);
    await expect(query(await em(), `update audit_log set outcome = 'refused' where tenant_id = ?`, [tenantId])).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(query(await em(), 'delete from audit_log where id = ?', [old])).rejects.toThrow(/append-only: DELETE refused/);
    await expect(query(await em(), 'truncate audit_log')).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await exists(old)).toBe(true);
  });

  it('lets the purge delete entries past the retention period, and only those', async () => {
    const old = await entryAged(6);
    const recent = await entryAged(2);
    // The purge setting alone does not open the way to a young entry.
    await expect(
      (await em()).transactional(async (tx) => {
        await query(tx, "set local relais.audit_purge = 'on'");
        await query(tx, 'delete from audit_log where id = ?', [recent]);
      }),
    ).rejects.toThrow(/younger than its retention period/);
    // Nor does a job asking for less than the tenant's five years.
    await expect(purgeExpiredAudit(await em(), tenantId, 1, 100)).rejects.toThrow(/younger than its retention period/);
    expect(await exists(recent)).toBe(true);

    expect(await purgeExpiredAudit(await em(), tenantId, 5, 100)).toBeGreaterThanOrEqual(1);
    expect(await exists(old)).toBe(false);
    expect(await exists(recent)).toBe(true);
    // The setting is local to the purge's transaction.
    const again = await entryAged(6);
    await expect(query(await em(), 'delete from audit_log where id = ?', [again])).rejects.toThrow(/append-only/);
  });

  it('follows the tenant setting, with a floor of one year', async () => {
    const twoYears = await entryAged(2);
    const months = randomUUID();
    await query(await em(), `insert into audit_log (id, tenant_id, action, outcome, data, at) values (?, ?, 'case.view', 'ok', '{}', now() - interval '11 months')`, [months, tenantId]);
    await query(await em(), `update tenant set settings = jsonb_set(settings, '{retention}', '{"auditYears": 0}') where id = ?`, [tenantId]);
    await expect(
      (await em()).transactional(async (tx) => {
        await query(tx, "set local relais.audit_purge = 'on'");
        await query(tx, 'delete from audit_log where id = ?', [months]);
      }),
    ).rejects.toThrow(/younger than its retention period/);
    await query(await em(), `update tenant set settings = jsonb_set(settings, '{retention}', '{"auditYears": 1}') where id = ?`, [tenantId]);
    expect(await purgeExpiredAudit(await em(), tenantId, 1, 100)).toBeGreaterThanOrEqual(1);
    expect(await exists(twoYears)).toBe(false);
    expect(await exists(months)).toBe(true);
  });
});
