import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { call, sessionFor, setPassword } from '@/app/console/_server/testing';
import { GET as list } from './route';
import { GET as show, POST as publish } from './[slug]/route';
import { POST as preview } from './[slug]/preview/route';
import { GET as exportVersion } from './[slug]/export/route';

let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let other: Awaited<ReturnType<typeof createTestTenant>>;
let admin: string;
let agent: string;
let otherAdmin: string;
const q = (slug = tenant.slug) => ({ tenant: slug, slug: 'question' });

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  for (const who of ['admin', 'agent']) await setPassword(tenant.slug, tenant.mail(who), 'mot-de-passe-de-test');
  await setPassword(other.slug, other.mail('admin'), 'mot-de-passe-de-test');
  [admin, agent, otherAdmin] = await Promise.all([
    sessionFor(tenant.slug, tenant.mail('admin')),
    sessionFor(tenant.slug, tenant.mail('agent')),
    sessionFor(other.slug, other.mail('admin')),
  ]);
});
afterAll(() => closeAllORMs());

describe('the designer’s API', () => {
  it('refuses the unauthenticated, an agent who is not an administrator, and another municipality’s session', async () => {
    expect((await call(list, { tenant: tenant.slug })).status).toBe(401);
    expect((await call(list, { tenant: tenant.slug }, { cookie: agent })).status).toBe(403);
    expect((await call(show, q(), { cookie: otherAdmin })).status).toBe(404);
    expect((await call(publish, q(), { method: 'POST', cookie: agent, body: { guaranteedDelay: { delay: 'P9D', businessDays: false } } })).status).toBe(403);
    expect((await call(exportVersion, q(), { cookie: otherAdmin })).status).toBe(404);
  });

  it('shows a process, previews an edit, publishes it as a new version of the tenant, exports it; the neighbour keeps the shipped one', async () => {
    const shown = await call(show, q(), { cookie: admin });
    expect(shown.status).toBe(200);
    const view = await shown.json();
    expect(view).toMatchObject({ slug: 'question', scope: 'produit' });
    expect(view.svg).toContain('data-step="valider"');
    const settings = { ...view.settings, guaranteedDelay: { delay: 'P12D', businessDays: true } };

    const seen = await call(preview, q(), { method: 'POST', cookie: admin, body: settings });
    expect(seen.status).toBe(200);
    expect(await seen.json()).toMatchObject({ guaranteedDelay: '12 jours ouvrés', unchanged: false });

    const published = await call(publish, q(), { method: 'POST', cookie: admin, body: settings });
    expect(published.status).toBe(201);
    const { version, message } = await published.json();
    expect(version).toBeGreaterThan(view.version);
    expect(message).toContain(`Version ${version} publiée`);

    const again = await call(publish, q(), { method: 'POST', cookie: admin, body: { ...settings, baseVersion: version } });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ created: false, version });
    // Published since the page was opened: refused.
    expect((await call(publish, q(), { method: 'POST', cookie: admin, body: { ...settings, guaranteedDelay: { delay: 'P13D', businessDays: true } } })).status).toBe(409);

    const listed = (await (await call(list, { tenant: tenant.slug }, { cookie: admin })).json()) as Array<{ slug: string; current: { version: number; scope: string } }>;
    expect(listed.find((p) => p.slug === 'question')!.current).toEqual({ version, scope: 'commune' });
    const theirs = (await (await call(list, { tenant: other.slug }, { cookie: otherAdmin })).json()) as Array<{ slug: string; versions: Array<{ version: number }> }>;
    expect(theirs.find((p) => p.slug === 'question')!.versions.map((v) => v.version)).not.toContain(version);
    expect((await call(show, q(other.slug), { cookie: otherAdmin, path: `/x?version=${version}` })).status).toBe(404);

    const file = await call(exportVersion, q(), { cookie: admin, path: `/x?version=${version}` });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="question-v${version}.json"`);
    expect((await file.json()).guaranteedDelay).toEqual({ delay: 'P12D', businessDays: true });

    const orm = await initORM(env().DATABASE_URL!);
    const audits = await query<{ target: string }>(orm.em.fork(), "select l.target from audit_log l join tenant t on t.id = l.tenant_id where t.slug = ? and l.action = 'admin.process.publish'", [tenant.slug]);
    expect(audits).toEqual([{ target: 'question' }]);
  });

  it('answers 400 with French errors and paths for bad settings, 404 for an unknown process', async () => {
    const bad = await call(preview, q(), { method: 'POST', cookie: admin, body: { guaranteedDelay: { delay: 'demain', businessDays: false } } });
    expect(bad.status).toBe(400);
    const { errors } = await bad.json();
    expect(errors).toEqual([expect.objectContaining({ path: '/guaranteedDelay/delay' })]);
    expect(errors[0].message).toMatch(/[Dd]urée|ISO/);
    expect((await call(preview, { tenant: tenant.slug, slug: 'inconnu' }, { method: 'POST', cookie: admin, body: {} })).status).toBe(404);
    expect((await call(show, q(), { cookie: admin, path: '/x?version=abc' })).status).toBe(404);
  });

  it('never answers a 5xx to hostile bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.string()), async (body) => {
        const response = await call(preview, q(), { method: 'POST', cookie: admin, body: typeof body === 'string' ? body : JSON.stringify(body) });
        expect(response.status).toBeLessThan(500);
        if (response.status === 400) {
          const answer = await response.json();
          expect(answer.error ?? answer.errors?.[0]?.message).toMatch(/\S/);
        }
      }),
      { numRuns: 60 },
    );
  });
});
