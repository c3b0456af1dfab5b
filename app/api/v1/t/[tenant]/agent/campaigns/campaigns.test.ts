import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllORMs } from '@/domain/orm';
import { anyJson, controlChar, pollutingKey, wrongForString } from '@/app/api/hostile-input.testing';
import { call, sessionFor, setPassword } from '@/app/console/_server/testing';
import { eventually, createTestTenant } from '@/temporal/testing/fixtures';
import { seedSmsSubscribers, smsCountsTo } from '@/temporal/testing/campaigns';
import { GET as list, POST as compose } from './route';
import { POST as preview } from './preview/route';
import { GET as show, PUT as edit } from './[id]/route';
import { GET as timeline } from './[id]/chronologie/route';
import { POST as act } from './[id]/[action]/route';
import { GET as report } from './[id]/rapport/route';

let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let other: Awaited<ReturnType<typeof createTestTenant>>;
let agent: string;
let chef: string;
let admin: string;
let otherChef: string;

const templates = [{ name: 'Coupure', subject: 'Coupure d’eau : {{quartier}}', body: 'Coupure d’eau {{quartier}} le {{date}}.' }];

beforeAll(async () => {
  [tenant, other] = await Promise.all([
    createTestTenant({ lists: [{ slug: 'securite', label: 'Sécurité', channels: ['sms', 'email'], templates }] }),
    createTestTenant({ lists: [{ slug: 'securite', label: 'Sécurité', channels: ['sms'] }] }),
  ]);
  for (const who of ['agent', 'chef', 'admin']) await setPassword(tenant.slug, tenant.mail(who), 'mot-de-passe-de-test');
  await setPassword(other.slug, other.mail('chef'), 'mot-de-passe-de-test');
  [agent, chef, admin, otherChef] = await Promise.all([
    sessionFor(tenant.slug, tenant.mail('agent')),
    sessionFor(tenant.slug, tenant.mail('chef')),
    sessionFor(tenant.slug, tenant.mail('admin')),
    sessionFor(other.slug, other.mail('chef')),
  ]);
});
afterAll(() => closeAllORMs());

const t = () => ({ tenant: tenant.slug });
const post = (cookie: string, body: unknown) => ({ method: 'POST', cookie, body });

async function draft(cookie: string, body: Record<string, unknown> = {}): Promise<string> {
  const response = await call(compose, t(), post(cookie, { list: 'securite', title: 'Essai', body: 'Essai de diffusion.', channels: ['sms'], ...body }));
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

describe('campaign API', () => {
  it('composes from a template, previews length and recipients, is approved by a head and runs to the end; the report is a CSV', async () => {
    const phones = await seedSmsSubscribers(tenant.slug, 'securite', 4);
    const template = (await (await call(compose, t(), post(agent, {}))).json()) as { errors: Array<{ path: string }> };
    expect(template.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['/list', '/title', '/body']));

    const measured = await (await call(preview, t(), post(agent, { list: 'securite', body: 'Coupure d’eau {{quartier}} demain matin', values: { quartier: 'Nord' } }))).json();
    expect(measured).toMatchObject({ sms: { alphabet: 'ucs2', segments: 2, nonGsm: ['’'] }, recipients: { sms: 4, email: 0, total: 4 }, totalSegments: 8 });
    expect(measured.smsText).toBe('Coupure d’eau Nord demain matin\nSTOP SECURITE pour ne plus recevoir ces messages');

    const missing = await call(compose, t(), post(agent, { list: 'securite', title: 'Coupure', body: templates[0].body, subject: templates[0].subject, values: { quartier: 'Nord' } }));
    expect(missing.status).toBe(400);
    expect((await missing.json()).errors).toEqual([{ path: '/valeurs/date', message: 'Renseignez « date ».' }]);

    const id = await draft(agent, { body: 'Coupure d eau {{quartier}} le {{date}}.', values: { quartier: 'Nord', date: '12 mars' } });
    expect((await (await call(show, { ...t(), id }, { cookie: agent })).json()).campaign.body).toBe('Coupure d eau Nord le 12 mars.');
    expect((await call(act, { ...t(), id, action: 'approuver' }, post(chef, {}))).status).toBe(409);
    expect((await call(act, { ...t(), id, action: 'soumettre' }, post(agent, {}))).status).toBe(200);
    expect((await call(act, { ...t(), id, action: 'approuver' }, post(agent, {}))).status).toBe(403);
    expect((await call(act, { ...t(), id, action: 'approuver' }, post(otherChef, {}))).status).toBe(404);
    const approved = await call(act, { ...t(), id, action: 'approuver' }, post(chef, {}));
    expect(approved.status).toBe(200);
    expect((await approved.json()).approvedBy.name).toBe('Chef Accueil');

    const done = await eventually(async () => {
      const { progress } = await (await call(show, { ...t(), id }, { cookie: agent })).json();
      expect(progress).toMatchObject({ state: 'done', percent: 100, total: 4, sent: 4 });
      return progress;
    }, 60_000);
    expect(done.queued).toBe(0);
    expect([...(await smsCountsTo(phones)).values()]).toEqual([1, 1, 1, 1]);
    const paused = await call(act, { ...t(), id, action: 'pause' }, post(chef, {}));
    expect(paused.status).toBe(409);

    const csv = await call(report, { ...t(), id }, { cookie: agent });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('rang;canal;destinataire;statut;remise;envoyé le;erreur');
    // A number starting with + is written as text, so a spreadsheet does not read it as a formula.
    const rows = lines.slice(1).map((l) => l.split(';'));
    expect(rows.map((r) => r[0])).toEqual(['1', '2', '3', '4']);
    expect(rows.map((r) => r.slice(1, 4).join(';')).sort()).toEqual(phones.map((p) => `SMS;'${p};envoyé`).sort());
    expect((await (await call(list, t(), { cookie: agent })).json()).map((c: { id: string }) => c.id)).toContain(id);
  }, 90_000);

  it('keeps the four-eyes rule: a head does not approve their own campaign, an administrator may; a head sends one back to draft', async () => {
    const own = await draft(chef);
    await call(act, { ...t(), id: own, action: 'soumettre' }, post(chef, {}));
    const refused = await call(act, { ...t(), id: own, action: 'approuver' }, post(chef, {}));
    expect(refused.status).toBe(409);
    expect((await refused.json()).error).toMatch(/un autre chef de service/);
    expect((await call(act, { ...t(), id: own, action: 'refuser' }, post(chef, {}))).status).toBe(200);
    expect((await (await call(show, { ...t(), id: own }, { cookie: chef })).json()).campaign.state).toBe('draft');

    const byAdmin = await draft(admin, { scheduledAt: new Date(Date.now() + 86_400_000).toISOString() });
    await call(act, { ...t(), id: byAdmin, action: 'soumettre' }, post(admin, {}));
    expect((await call(act, { ...t(), id: byAdmin, action: 'approuver' }, post(admin, {}))).status).toBe(200);
    await eventually(async () => expect((await (await call(show, { ...t(), id: byAdmin }, { cookie: admin })).json()).progress.state).toBe('scheduled'));
    expect((await call(act, { ...t(), id: byAdmin, action: 'reprise' }, post(admin, {}))).status).toBe(409);
    expect((await call(act, { ...t(), id: byAdmin, action: 'annulation' }, post(admin, {}))).status).toBe(200);
    await eventually(async () => expect((await (await call(show, { ...t(), id: byAdmin }, { cookie: admin })).json()).progress.state).toBe('cancelled'));
  }, 60_000);

  it('lets the author (or an administrator) rewrite a draft, not another agent, and no campaign once submitted', async () => {
    const id = await draft(agent, { title: 'Premier jet', body: 'Coupure d eau demain.' });
    const put = (cookie: string, body: unknown, target = id) => call(edit, { ...t(), id: target }, { method: 'PUT', cookie, body });
    const rewritten = { list: 'securite', title: 'Coupure d’eau', subject: 'Coupure d’eau {{quartier}}', body: 'Coupure d eau {{quartier}} demain matin.', values: { quartier: 'Sud' }, channels: ['sms', 'email'], emergency: true };
    const edited = await put(agent, rewritten);
    expect(edited.status, await edited.clone().text()).toBe(200);
    expect(await edited.json()).toMatchObject({ id, title: 'Coupure d’eau', subject: 'Coupure d’eau Sud', body: 'Coupure d eau Sud demain matin.', channels: ['email', 'sms'], emergency: true, state: 'draft' });
    expect((await (await call(show, { ...t(), id }, { cookie: chef })).json()).campaign.body).toBe('Coupure d eau Sud demain matin.');

    const byChef = await put(chef, rewritten);
    expect(byChef.status).toBe(409);
    expect((await byChef.json()).error).toMatch(/Seul l’auteur de la campagne/);
    expect((await put(admin, { ...rewritten, title: 'Relu par l’administrateur' })).status).toBe(200);
    expect((await put(agent, { ...rewritten, title: '' })).status).toBe(400);
    expect((await call(edit, { tenant: other.slug, id }, { method: 'PUT', cookie: otherChef, body: { ...rewritten, channels: ['sms'] } })).status).toBe(404);
    expect((await put(agent, rewritten, '00000000-0000-4000-8000-000000000000')).status).toBe(404);

    await call(act, { ...t(), id, action: 'soumettre' }, post(agent, {}));
    const submitted = await put(agent, rewritten);
    expect(submitted.status).toBe(409);
    expect((await submitted.json()).error).toMatch(/Seul un brouillon peut être modifié/);
    // Sent back to draft by a head, it can be rewritten again.
    await call(act, { ...t(), id, action: 'refuser' }, post(chef, {}));
    expect((await put(agent, { ...rewritten, title: 'Deuxième jet' })).status).toBe(200);
  });

  it('draws the chart of a campaign of the tenant only (empty before any message)', async () => {
    const id = await draft(agent);
    const answer = await call(timeline, { ...t(), id }, { cookie: agent });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ stepMinutes: 1, points: [] });
    expect((await call(timeline, { tenant: other.slug, id }, { cookie: otherChef })).status).toBe(404);
  });

  it('answers a hostile body with 400 and French errors, never a 5xx (fast-check)', async () => {
    const field = fc.oneof(wrongForString, fc.string({ maxLength: 40 }), controlChar, fc.string({ minLength: 1600, maxLength: 1700 }));
    const body = fc.oneof(
      anyJson,
      fc.record({ list: field, title: field, body: field, values: fc.oneof(anyJson, fc.dictionary(fc.oneof(pollutingKey, fc.string()), field)), channels: anyJson, scheduledAt: field }, { requiredKeys: [] }),
    );
    const target = await draft(agent);
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const rewritten = await call(edit, { ...t(), id: target }, { method: 'PUT', cookie: agent, body: value });
        expect([200, 400]).toContain(rewritten.status);
        const response = await call(compose, t(), post(agent, value));
        expect([201, 400]).toContain(response.status);
        if (response.status === 400) for (const error of (await response.json()).errors) expect(error.message).toMatch(/[a-zéèàêç]/i);
        const previewed = await call(preview, t(), post(agent, value));
        expect([200, 400, 404]).toContain(previewed.status);
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
