import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '@/domain/audit/log';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { importSubscribers } from '@/domain/subscriptions/import';
import { withdraw } from '@/domain/subscriptions/subscriptions';
import type { SubscriberDetail, SubscriberPage } from '@/domain/subscriptions/subscribers';
import { anyJson, controlChar, wrongForString } from '@/app/api/hostile-input.testing';
import { call, sessionFor, setPassword } from '@/app/console/_server/testing';
import { seedSmsSubscribers } from '@/temporal/testing/campaigns';
import { agentContext, createTestTenant } from '@/temporal/testing/fixtures';
import { subscriptionState } from '@/temporal/testing/subscriptions';
import { POST as search } from './route';
import { GET as show } from './[id]/route';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let other: Awaited<ReturnType<typeof createTestTenant>>;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  const lists = [
    { slug: 'alertes', label: 'Alertes', channels: ['sms', 'email'] as Array<'sms' | 'email'> },
    { slug: 'menus', label: 'Menus de la cantine', channels: ['email'] as Array<'sms' | 'email'> },
  ];
  [tenant, other] = await Promise.all([createTestTenant({ lists }), createTestTenant({ lists })]);
  for (const who of ['agent', 'chef', 'admin', 'dpo']) await setPassword(tenant.slug, tenant.mail(who), 'mot-de-passe-de-test');
  await setPassword(other.slug, other.mail('dpo'), 'mot-de-passe-de-test');
  for (const who of ['agent', 'chef', 'admin', 'dpo']) cookies[who] = await sessionFor(tenant.slug, tenant.mail(who));
  cookies.otherDpo = await sessionFor(other.slug, other.mail('dpo'));

  const admin = await agentContext(tenant.slug, tenant.mail('admin'));
  const csv = 'email;telephone;date_consentement;source\nl.moreau@exemple.fr;;15/03/2024;Formulaire papier accueil\n;06 11 22 33 44;2024-04-01;Fête de la commune\nr.petit@exemple.fr;;2024-05-02;Site web\n';
  const report = await importSubscribers(await em(), { ...admin, list: 'alertes', csv, fileName: 'abonnes.csv', importValidLines: false });
  expect(report.committed).toBe(true);
  const petit = await subscriptionState(tenant.slug, 'alertes', 'r.petit@exemple.fr');
  await (await em()).transactional((tx) => withdraw(tx, petit!.id, 'one_click', { via: 'one_click', clientAddress: '203.0.113.7' }));
  await seedSmsSubscribers(tenant.slug, 'alertes', 60);
});
afterAll(() => closeAllORMs());

const t = () => ({ tenant: tenant.slug });
const find = async (cookie: string, body: unknown) => call(search, t(), { method: 'POST', cookie, body });
const page = async (body: unknown) => {
  const response = await find(cookies.dpo, body);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as SubscriberPage;
};

describe('subscribers in the console', () => {
  it('are for administrators and the data protection officer only, and a tenant’s own', async () => {
    expect((await find(cookies.agent, {})).status).toBe(403);
    expect((await find(cookies.chef, {})).status).toBe(403);
    expect((await find(cookies.admin, {})).status).toBe(200);
    const first = await page({ liste: 'alertes', q: 'l.moreau' });
    const id = first.rows[0].subscriberId;
    expect((await call(show, { ...t(), id }, { cookie: cookies.agent })).status).toBe(403);
    expect((await call(show, { tenant: other.slug, id }, { cookie: cookies.otherDpo })).status).toBe(404);
    expect((await call(show, { ...t(), id }, { cookie: cookies.otherDpo })).status).toBe(404);
    expect((await call(show, { ...t(), id: 'pas-un-uuid' }, { cookie: cookies.dpo })).status).toBe(404);
    // Another municipality's session is refused here; on its own console, its same-named list holds none of these subscribers.
    expect((await find(cookies.otherDpo, {})).status).toBe(404);
    const there = await call(search, { tenant: other.slug }, { method: 'POST', cookie: cookies.otherDpo, body: { liste: 'alertes' } });
    expect(((await there.json()) as SubscriberPage).total).toBe(0);
  });

  it('searches by e-mail or by a number typed the French way, filters by state and channel, and pages by 50', async () => {
    const all = await page({ liste: 'alertes' });
    expect(all).toMatchObject({ list: { slug: 'alertes', label: 'Alertes' }, total: 63, page: 1, pages: 2 });
    expect(all.rows).toHaveLength(50);
    expect(all.lists.map((l) => l.slug)).toEqual(['alertes', 'menus']);
    expect((await page({ liste: 'alertes', page: '2' })).rows).toHaveLength(13);
    expect((await page({ liste: 'alertes', page: '9' })).page).toBe(2);

    const byPhone = await page({ liste: 'alertes', q: '06 11 22' });
    expect(byPhone.rows.map((r) => [r.address, r.channel, r.statusLabel, r.consentMethodLabel])).toEqual([
      ['+33611223344', 'sms', 'Abonné', 'par import d’un fichier par un agent de la commune'],
    ]);
    expect((await page({ liste: 'alertes', q: 'R.PETIT@' })).rows.map((r) => r.address)).toEqual(['r.petit@exemple.fr']);
    const left = await page({ liste: 'alertes', etat: 'unsubscribed' });
    expect(left.rows.map((r) => r.address)).toEqual(['r.petit@exemple.fr']);
    expect(left.rows[0].unsubscribedAt).not.toBeNull();
    expect((await page({ liste: 'alertes', canal: 'email' })).total).toBe(2);
    // LIKE's wildcards are searched as text.
    expect((await page({ liste: 'alertes', q: '%' })).total).toBe(0);
    expect((await page({ liste: 'alertes', q: '_' })).total).toBe(0);
    expect((await page({ liste: 'menus' })).total).toBe(0);

    const unknown = await find(cookies.dpo, { liste: 'inconnue' });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors).toEqual([{ path: '/liste', message: 'Cette liste n’existe pas.' }]);
  });

  it('shows a subscriber’s consent trail with each proof in plain French, and audits the view', async () => {
    const [row] = (await page({ liste: 'alertes', q: 'r.petit@exemple.fr' })).rows;
    const response = await call(show, { ...t(), id: row.subscriberId }, { cookie: cookies.dpo });
    expect(response.status).toBe(200);
    const detail = (await response.json()) as SubscriberDetail;
    expect(detail).toMatchObject({ address: 'r.petit@exemple.fr', channel: 'email' });
    expect(detail.subscriptions).toHaveLength(1);
    const [subscription] = detail.subscriptions;
    expect(subscription).toMatchObject({ list: { slug: 'alertes' }, status: 'unsubscribed', statusLabel: 'Désabonné', unsubscribedViaLabel: 'par le lien de désabonnement en un clic du courriel' });
    expect(subscription.trail.map((e) => [e.kindLabel, e.methodLabel])).toEqual([
      ['Consentement confirmé', 'par import d’un fichier par un agent de la commune'],
      ['Consentement retiré', 'par le lien de désabonnement en un clic du courriel'],
    ]);
    const proof = Object.fromEntries(subscription.trail[0].proof.map((line) => [line.label, line.value]));
    expect(proof).toMatchObject({
      Origine: 'par import d’un fichier par un agent de la commune',
      'Source du consentement déclarée': 'Site web',
      'Fichier importé': 'abonnes.csv',
      'Ligne du fichier': '4',
      'Importé par': 'Admin',
      'Consentement donné le': '02/05/2024 14:00:00',
    });
    expect(subscription.trail[1].proof).toContainEqual({ label: 'Adresse IP', value: '203.0.113.7' });

    const dpo = await agentContext(tenant.slug, tenant.mail('dpo'));
    const audit = await listAudit(await em(), dpo.tenantId, { target: row.subscriberId });
    expect(audit.map((a) => a.action)).toEqual(['subscribers.view']);
    // Looking again at once is the same view.
    await call(show, { ...t(), id: row.subscriberId }, { cookie: cookies.dpo });
    expect(await listAudit(await em(), dpo.tenantId, { target: row.subscriberId })).toHaveLength(1);
  });

  it('answers a hostile search with 200 or 400 and French errors, never a 5xx (fast-check)', async () => {
    const field = fc.oneof(wrongForString, fc.string({ maxLength: 40 }), controlChar, fc.string({ minLength: 321, maxLength: 400 }), fc.constantFrom('0', '-1', '1e3', '99999', 'alertes', 'tous'));
    const body = fc.oneof(anyJson, fc.record({ liste: field, q: field, etat: field, canal: field, page: field }, { requiredKeys: [] }));
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const response = await find(cookies.dpo, value);
        expect([200, 400]).toContain(response.status);
        if (response.status === 400) {
          const answer = await response.json();
          expect(answer.errors?.length ?? 0, JSON.stringify(answer)).toBeGreaterThan(0);
        }
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
