import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeCampaign } from '@/domain/campaigns/campaigns';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { importSubscribers } from '@/domain/subscriptions/import';
import { withdraw } from '@/domain/subscriptions/subscriptions';
import { agentContext, createTestTenant } from '@/temporal/testing/fixtures';
import { subscriptionState } from '@/temporal/testing/subscriptions';
import { personalDataPdfModel } from './personal-data-pdf';
import { retentionBatch, retentionRunCounts } from './retention';
import { erasePerson, viewPerson } from './rights';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
const tag = randomUUID().slice(0, 8);
const email = `jeanne.${tag}@exemple.fr`;
const neighbour = `paul.${tag}@exemple.fr`;
const phone = `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
type Tenant = Awaited<ReturnType<typeof createTestTenant>>;
let tenant: Tenant;
let other: Tenant;
let ctx: { tenantId: string; agentId: string };
let otherCtx: { tenantId: string; agentId: string };

const lists = [
  { slug: 'alertes', label: 'Alertes', channels: ['sms', 'email'] as Array<'sms' | 'email'> },
  { slug: 'menus', label: 'Menus de la cantine', channels: ['email'] as Array<'sms' | 'email'> },
];

async function subscribe(t: Tenant, admin: { tenantId: string; agentId: string }, list: string, lines: string) {
  const report = await importSubscribers(await em(), { ...admin, list, csv: `email;telephone;date_consentement;source\n${lines}`, fileName: 'abonnes.csv', importValidLines: false });
  expect(report.committed, JSON.stringify(report.errors)).toBe(true);
}

/** Recipients of a campaign of the tenant, as its snapshot would hold them. */
async function campaignTo(admin: { tenantId: string; agentId: string }, recipients: Array<[string, string, string]>): Promise<string> {
  const { id } = await composeCampaign(await em(), { ...admin, mayApprove: true, isAdmin: true }, { list: 'alertes', title: `Campagne ${tag}`, body: 'Alerte.' });
  for (const [position, [channel, address, status]] of recipients.entries()) {
    await query(
      await em(),
      `insert into campaign_recipient (campaign_id, position, subscription_id, channel, address, status, sent_at) values (?, ?, gen_random_uuid(), ?, ?, ?, case when ? = 'sent' then now() end)`,
      [id, position + 1, channel, address, status, status],
    );
  }
  return id;
}

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTestTenant({ lists }), createTestTenant({ lists })]);
  ctx = await agentContext(tenant.slug, tenant.mail('dpo'));
  const admin = await agentContext(tenant.slug, tenant.mail('admin'));
  otherCtx = await agentContext(other.slug, other.mail('admin'));
  await subscribe(tenant, admin, 'alertes', `${email.toUpperCase()};06${phone.slice(4)};15/03/2024;Fête de la commune\n${neighbour};;15/03/2024;Site web\n`);
  await subscribe(tenant, admin, 'menus', `${email};;2024-09-01;Inscription à la cantine\n`);
  await subscribe(other, otherCtx, 'alertes', `${email};;2024-01-10;Site web\n`);
  const menus = await subscriptionState(tenant.slug, 'menus', email);
  await (await em()).transactional((tx) => withdraw(tx, menus!.id, 'one_click', { via: 'one_click', clientAddress: '203.0.113.7' }));
});
afterAll(() => closeAllORMs());

describe('subscriptions in the personal-data tools', () => {
  it('are in the person’s export with their consent trails and the campaign messages addressed to them, for this tenant only', async () => {
    await campaignTo({ tenantId: ctx.tenantId, agentId: (await agentContext(tenant.slug, tenant.mail('admin'))).agentId }, [
      ['email', email, 'sent'],
      ['email', neighbour, 'sent'],
    ]);
    const data = await viewPerson(await em(), ctx, { email });
    expect(data.subscriptions.map((s) => [s.list, s.channel, s.address, s.status, s.consentMethod])).toEqual([
      ['alertes', 'email', email, 'active', 'import'],
      ['menus', 'email', email, 'unsubscribed', 'import'],
    ]);
    expect(data.subscriptions[0].consentProof).toMatchObject({ source: 'Fête de la commune', fileName: 'abonnes.csv', line: 2 });
    expect(data.subscriptions[1].trail.map((e) => [e.kind, e.method])).toEqual([
      ['confirmed', 'import'],
      ['withdrawn', 'one_click'],
    ]);
    expect(data.subscriptions[1].trail[1].proof).toEqual({ via: 'one_click', clientAddress: '203.0.113.7' });
    expect(data.campaignMessages).toEqual([expect.objectContaining({ campaign: `Campagne ${tag}`, list: 'Alertes', channel: 'email', address: email, status: 'sent' })]);

    const byPhone = await viewPerson(await em(), ctx, { phone: `06 ${phone.slice(4)}` });
    expect(byPhone.subscriptions.map((s) => [s.list, s.channel, s.address])).toEqual([['alertes', 'sms', phone]]);

    // The readable PDF says it in French, the importing agent unnamed.
    const model = personalDataPdfModel(data, 'Europe/Paris');
    expect(model.summary).toContain('2 abonnement(s), 1 message(s) de campagne');
    expect(model.subscriptions[1]).toMatchObject({ listLabel: 'Menus de la cantine', status: 'Désabonné', channel: 'courriel' });
    expect(model.subscriptions[1].trail.map((e) => e.kind)).toEqual(['Consentement confirmé', 'Consentement retiré']);
    expect(model.subscriptions[1].trail[0].proof).toContainEqual({ label: 'Importé par', value: 'un agent de la commune' });
    expect(model.subscriptions[1].trail[1].method).toBe('par le lien de désabonnement en un clic du courriel');
  });

  it('are erased with the person: subscriptions and trails deleted, campaign lines kept without the address, a waiting message cancelled', async () => {
    const admin = await agentContext(tenant.slug, tenant.mail('admin'));
    const campaign = await campaignTo(admin, [
      ['email', email, 'sent'],
      ['sms', phone, 'queued'],
      ['email', neighbour, 'queued'],
    ]);
    const result = await erasePerson(await em(), ctx, { email, reason: 'Demande écrite de la personne' });
    expect(result.counts).toMatchObject({ subscriptions: 2, consentEvents: 3, campaignRecipients: 2 });
    expect((await viewPerson(await em(), ctx, { email })).subscriptions).toEqual([]);
    expect(await subscriptionState(tenant.slug, 'alertes', email)).toBeUndefined();
    // The same person's number, the neighbour and the other municipality's subscriber are not this erasure's.
    expect((await subscriptionState(tenant.slug, 'alertes', phone))?.status).toBe('active');
    expect((await subscriptionState(tenant.slug, 'alertes', neighbour))?.status).toBe('active');
    expect((await subscriptionState(other.slug, 'alertes', email))?.status).toBe('active');
    const [audit] = await query<{ data: { counts: Record<string, number> } }>(await em(), `select data from audit_log where tenant_id = ? and action = 'privacy.erasure'`, [ctx.tenantId]);
    expect(audit.data.counts).toMatchObject({ subscriptions: 2, consentEvents: 3 });

    await erasePerson(await em(), ctx, { phone, reason: 'Demande écrite de la personne' });
    const lines = await query<{ position: number; address: string; status: string }>(await em(), 'select position, address, status from campaign_recipient where campaign_id = ? order by position', [campaign]);
    expect(lines).toEqual([
      { position: 1, address: '', status: 'sent' },
      { position: 2, address: '', status: 'cancelled' },
      { position: 3, address: neighbour, status: 'queued' },
    ]);
    expect((await subscriptionState(tenant.slug, 'alertes', phone))).toBeUndefined();
  });
});

describe('retention of subscriptions', () => {
  it('deletes subscriptions withdrawn or never confirmed past the message-log delay and clears old campaigns’ addresses, once', async () => {
    const t = await createTestTenant({ lists });
    const admin = await agentContext(t.slug, t.mail('admin'));
    const addresses = ['ancien', 'recent', 'actif', 'attente'].map((name) => `${name}.${tag}@exemple.fr`);
    await subscribe(t, admin, 'alertes', addresses.map((a) => `${a};;2023-01-01;Site web\n`).join(''));
    const db = await em();
    const idOf = async (address: string) => (await subscriptionState(t.slug, 'alertes', address))!.id;
    await query(db, `update subscription set status = 'unsubscribed', unsubscribed_at = now() - interval '13 months' where id = ?`, [await idOf(addresses[0])]);
    await query(db, `update subscription set status = 'unsubscribed', unsubscribed_at = now() - interval '11 months' where id = ?`, [await idOf(addresses[1])]);
    await query(db, `update subscription set status = 'pending', created_at = now() - interval '13 months', consent_at = null where id = ?`, [await idOf(addresses[3])]);
    await query(db, `update subscriber set created_at = now() - interval '2 years' where tenant_id = ?`, [admin.tenantId]);
    const old = await campaignTo(admin, [['email', addresses[0], 'sent'], ['email', addresses[2], 'sent']]);
    const recent = await campaignTo(admin, [['email', addresses[2], 'sent']]);
    await query(db, `update campaign set state = 'done', finished_at = now() - interval '13 months' where id = ?`, [old]);
    await query(db, `update campaign set state = 'done', finished_at = now() - interval '1 month' where id = ?`, [recent]);

    const runId = `test-${tag}`;
    const asOf = new Date().toISOString();
    const batch = () => retentionBatch(db, { tenantId: admin.tenantId, category: 'subscriptions', asOf, runId, limit: 3 });
    // Two subscriptions, the two addresses left on no list, the two addresses of the old campaign.
    expect(await batch()).toBe(3);
    expect(await batch()).toBe(3);
    expect(await batch()).toBe(0);
    expect(await subscriptionState(t.slug, 'alertes', addresses[0])).toBeUndefined();
    expect(await subscriptionState(t.slug, 'alertes', addresses[3])).toBeUndefined();
    expect((await subscriptionState(t.slug, 'alertes', addresses[1]))?.status).toBe('unsubscribed');
    expect((await subscriptionState(t.slug, 'alertes', addresses[2]))?.status).toBe('active');
    const subscribers = await query<{ address: string }>(db, 'select address from subscriber where tenant_id = ? order by address', [admin.tenantId]);
    expect(subscribers.map((s) => s.address)).toEqual([addresses[2], addresses[1]].sort());
    const kept = await query<{ campaign_id: string; address: string; status: string }>(
      db,
      'select campaign_id, address, status from campaign_recipient where campaign_id = any(?::uuid[]) order by campaign_id = ?, position',
      [`{${old},${recent}}`, recent],
    );
    expect(kept.map((r) => [r.campaign_id, r.address, r.status])).toEqual([
      [old, '', 'sent'],
      [old, '', 'sent'],
      [recent, addresses[2], 'sent'],
    ]);
    expect(await retentionRunCounts(db, admin.tenantId, runId)).toMatchObject({ subscriptionsDeleted: 2, campaignRecipientsCleared: 2 });
  });
});
