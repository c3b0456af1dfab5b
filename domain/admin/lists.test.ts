import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '@/domain/audit/log';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { listPublicLists } from '@/domain/subscriptions/lists';
import { InputError } from '@/domain/validation';
import { agentContext, createTestTenant } from '@/temporal/testing/fixtures';
import { activeSubscription } from '@/temporal/testing/subscriptions';
import { saveSubscriptionList } from './lists';
import { adminOverview } from './overview';

let ctx: { tenantId: string; agentId: string };
let slug: string;
const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();

beforeAll(async () => {
  const tenant = await createTestTenant();
  slug = tenant.slug;
  ctx = await agentContext(tenant.slug, tenant.mail('admin'));
});
afterAll(() => closeAllORMs());

describe('subscription lists in the administration', () => {
  it('creates and updates lists with an audit entry each; internal lists leave the public API', async () => {
    await saveSubscriptionList(await em(), ctx, { slug: 'travaux', label: 'Travaux', description: 'Chantiers en cours', sms: true, email: false, public: true });
    await saveSubscriptionList(await em(), ctx, { slug: 'fetes', label: 'Fêtes', email: true, sms: false, public: true });
    expect((await listPublicLists(await em(), slug)).map((l) => [l.slug, l.channels])).toEqual([['travaux', ['sms']], ['fetes', ['email']]]);

    await saveSubscriptionList(await em(), ctx, { slug: 'travaux', label: 'Travaux et voirie', description: 'Chantiers', sms: true, email: true, public: false });
    expect((await listPublicLists(await em(), slug)).map((l) => l.slug)).toEqual(['fetes']);
    await activeSubscription(slug, 'travaux', 'sms', '+33780000001');
    const overview = await adminOverview(await em(), ctx.tenantId);
    expect(overview.lists[0]).toEqual({
      slug: 'travaux', label: 'Travaux et voirie', description: 'Chantiers', sms: true, email: true, public: false, subscribers: { sms: 1, email: 0 },
    });

    const entries = await listAudit(await em(), ctx.tenantId, { target: 'travaux' });
    expect(entries.map((e) => e.action).sort()).toEqual(['admin.list.create', 'admin.list.update']);
    const update = entries.find((e) => e.action === 'admin.list.update')!;
    expect(update.data).toMatchObject({ before: { label: 'Travaux', is_public: true }, after: { label: 'Travaux et voirie', public: false } });
  });

  it('refuses a list without channel or with a bad identifier, in French, and writes nothing', async () => {
    await expect(saveSubscriptionList(await em(), ctx, { slug: 'vide', label: 'Vide', sms: false, email: false })).rejects.toThrow(/au moins un canal/);
    await expect(saveSubscriptionList(await em(), ctx, { slug: 'Mauvais Nom', label: 'X', sms: true })).rejects.toThrow(InputError);
    await expect(saveSubscriptionList(await em(), ctx, { slug: 'x'.repeat(40), label: 'X', sms: true })).rejects.toThrow(/mot-clé SMS/);
    expect((await adminOverview(await em(), ctx.tenantId)).lists.map((l) => l.slug)).not.toContain('vide');
  });
});
