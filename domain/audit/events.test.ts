import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { auditCaseView } from './events';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
afterAll(() => closeAllORMs());

describe('case views in the audit trail', () => {
  it('counts a page that re-renders as one view, per agent and per case', async () => {
    const tenant = await createTestTenant();
    const agents = await query<{ id: string; tenant_id: string }>(await em(), 'select a.id, a.tenant_id from agent a join tenant t on t.id = a.tenant_id where t.slug = ? order by a.email limit 2', [tenant.slug]);
    const [first, second] = agents.map((a) => ({ tenantId: a.tenant_id, agentId: a.id }));
    // Five renders at once, then one more: one view.
    await Promise.all(Array.from({ length: 5 }, async () => auditCaseView(await em(), first, '2026-000001', 'console')));
    await auditCaseView(await em(), first, '2026-000001', 'console');
    await auditCaseView(await em(), first, '2026-000001', 'api');
    await auditCaseView(await em(), second, '2026-000001', 'console');
    await auditCaseView(await em(), first, '2026-000002', 'console');
    const views = await query<{ agent_id: string; target: string }>(
      await em(),
      `select agent_id, target from audit_log where tenant_id = ? and action = 'request.view' order by target, agent_id`,
      [first.tenantId],
    );
    expect(views).toEqual(
      [
        { agent_id: first.agentId, target: '2026-000001' },
        { agent_id: second.agentId, target: '2026-000001' },
        { agent_id: first.agentId, target: '2026-000002' },
      ].sort((a, b) => a.target.localeCompare(b.target) || a.agent_id.localeCompare(b.agent_id)),
    );
  });
});
