import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { Tenant } from '@/domain/entities';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { listFormTopics, listTopicOffers } from '@/domain/topics';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { departmentChoices, topicChoices } from './choices';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let tenantId: string;
let otherId: string;
let slugs: string[];

const idOf = async (slug: string) => (await query<{ id: string }>(await em(), 'select id from tenant where slug = ?', [slug]))[0].id;

beforeAll(async () => {
  const [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  [tenantId, otherId] = await Promise.all([idOf(tenant.slug), idOf(other.slug)]);
  slugs = [tenant.slug, other.slug];
  // A retired topic and a form topic placed before the others, so that order and the active filter both show.
  await query(
    await em(),
    `insert into topic (id, tenant_id, slug, label, department_id, kind, delay, form, position, active)
     select gen_random_uuid(), tenant_id, s.slug, s.label, id, s.kind, 'P5D', s.form, s.position, s.active
       from department, (values ('ancien', 'Ancien thème', 'question', null, 0, false), ('inscription', 'Inscription cantine', 'registration', 'cantine', -1, true))
            as s(slug, label, kind, form, position, active)
      where tenant_id = ? and department.slug = 'etat-civil'`,
    [tenantId],
  );
});
afterAll(() => closeAllORMs());

describe('console and portal choices', () => {
  it('list a tenant’s departments by name and its topics in display order, active ones only when asked', async () => {
    expect(await departmentChoices(await em(), tenantId)).toEqual(
      await query(await em(), 'select slug, name from department where tenant_id = ? order by name', [tenantId]),
    );
    const all = await topicChoices(await em(), tenantId);
    expect(all).toEqual(await query(await em(), 'select slug, label from topic where tenant_id = ? order by position, label', [tenantId]));
    expect(all.map((t) => t.slug)).toContain('ancien');
    const active = await topicChoices(await em(), tenantId, { activeOnly: true });
    expect(active).toEqual(all.filter((t) => t.slug !== 'ancien'));
    expect(active[0].slug).toBe('inscription');
  });

  it('offer the portal only the tenant’s active topics, and its form topics with their department', async () => {
    const offers = await listTopicOffers(await em(), tenantId);
    const expected = await query<{ slug: string; kind: string; form: string | null }>(await em(), 'select slug, kind, form from topic where tenant_id = ? and active', [tenantId]);
    expect(offers.sort((a, b) => a.slug.localeCompare(b.slug))).toEqual(expected.sort((a, b) => a.slug.localeCompare(b.slug)));
    expect(await listFormTopics(await em(), tenantId)).toEqual([{ form: 'cantine', label: 'Inscription cantine', department: 'État civil' }]);
    expect(await listFormTopics(await em(), otherId)).toEqual([]);
    expect((await listTopicOffers(await em(), otherId)).map((t) => t.slug).sort()).toEqual(['acte', 'question']);
  });

  it('list every tenant of the deployment by name for the entry page', async () => {
    // Other test files add tenants meanwhile: compare this file's two only.
    const ours = (rows: Array<{ slug: string }>) => rows.filter((t) => slugs.includes(t.slug));
    const directory = ours(await (await em()).getRepository(Tenant).directory());
    expect(directory).toHaveLength(2);
    expect(directory).toEqual(ours(await query(await em(), 'select slug, name from tenant order by name')));
  });
});
