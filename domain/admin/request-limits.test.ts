import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REQUEST_LIMITS } from '@/domain/antispam/request-limits';
import { listAudit } from '@/domain/audit/log';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { agentContext, createTestTenant } from '@/temporal/testing/fixtures';
import { loadRequestLimits, saveRequestLimits } from './request-limits';

let ctx: { tenantId: string; agentId: string };
const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();

beforeAll(async () => {
  const tenant = await createTestTenant();
  ctx = await agentContext(tenant.slug, tenant.mail('admin'));
});
afterAll(() => closeAllORMs());

describe('public API limits in the administration', () => {
  it('start at the defaults, are saved from the form (digit strings) with an audit entry, and refuse nonsense in French', async () => {
    expect(await loadRequestLimits(await em(), ctx.tenantId)).toEqual(DEFAULT_REQUEST_LIMITS);
    await saveRequestLimits(await em(), ctx, { perAddressPerHour: '12', perContactPerHour: ' 4 ', perTenantPerHour: 500 });
    expect(await loadRequestLimits(await em(), ctx.tenantId)).toEqual({ perAddressPerHour: 12, perContactPerHour: 4, perTenantPerHour: 500 });
    const [entry] = await listAudit(await em(), ctx.tenantId, { target: 'limits' });
    expect(entry).toMatchObject({ action: 'admin.limits.update', data: { before: DEFAULT_REQUEST_LIMITS, after: { perAddressPerHour: 12 } } });

    const refused = await saveRequestLimits(await em(), ctx, { perAddressPerHour: '0', perContactPerHour: 'beaucoup', perTenantPerHour: 2_000_000, autre: 1 }).catch((e) => e);
    expect(refused.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/autre', '/perAddressPerHour', '/perContactPerHour', '/perTenantPerHour']);
    expect(refused.errors.find((e: { path: string }) => e.path === '/perAddressPerHour').message).toMatch(/entre 1 et 100\s000/);
    expect(await loadRequestLimits(await em(), ctx.tenantId)).toEqual({ perAddressPerHour: 12, perContactPerHour: 4, perTenantPerHour: 500 });
  });
});
