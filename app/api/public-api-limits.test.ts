import { afterAll, describe, expect, it, vi } from 'vitest';
import type { RequestLimits } from '@/domain/antispam/request-limits';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { citizenEmail } from '@/temporal/testing/helpers';

type RouteModule = typeof import('./v1/t/[tenant]/requests/route');
type OrmModule = typeof import('@/domain/orm');

/** A second web process: the route, its ORM and its limiter loaded again as fresh module instances. */
async function secondWebProcess(): Promise<{ route: RouteModule; orm: OrmModule }> {
  vi.resetModules();
  const route = await import('./v1/t/[tenant]/requests/route');
  const orm = await import('@/domain/orm');
  vi.resetModules();
  return { route, orm };
}

const first: RouteModule = await import('./v1/t/[tenant]/requests/route');
const second = await secondWebProcess();

afterAll(async () => {
  await second.orm.closeAllORMs();
  await closeAllORMs();
});

async function tenantWithLimits(limits: Partial<RequestLimits>) {
  const tenant = await createTestTenant();
  const em = (await initORM(env().DATABASE_URL!)).em.fork();
  await query(em, "update tenant set settings = jsonb_set(settings, '{limits}', ?::jsonb) where slug = ?", [JSON.stringify(limits), tenant.slug]);
  const [{ id }] = await query<{ id: string }>(em, 'select id from tenant where slug = ?', [tenant.slug]);
  return { ...tenant, id };
}

function post(route: RouteModule, tenant: string, body: unknown, address = '198.51.100.1'): Promise<Response> {
  const request = new Request('http://relais.test/api', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify(body),
  });
  return route.POST(request, { params: Promise.resolve({ tenant }) });
}

let n = 0;
function question(email = citizenEmail('limite'), text = `Question numéro ${++n}`) {
  return { topic: 'question', subject: 'Une question', message: text, contact: { email } };
}

async function requestCount(tenantId: string): Promise<number> {
  const [row] = await query<{ n: number }>((await initORM(env().DATABASE_URL!)).em.fork(), 'select count(*)::int as n from request where tenant_id = ?', [tenantId]);
  return row.n;
}

/** Ends the current window of a tenant's counts, as the clock would an hour later. */
async function expireWindow(tenantId: string): Promise<void> {
  const em = (await initORM(env().DATABASE_URL!)).em.fork();
  await query(em, "update portal_rate_limit set expire = ? where key like 'api-%' and key like ?", [Date.now() - 1, `%${tenantId}%`]);
}

async function expectTooMany(response: Response, pattern: RegExp): Promise<number> {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(3600);
  const { errors } = (await response.json()) as { errors: Array<{ message: string }> };
  expect(errors[0].message).toMatch(pattern);
  return retryAfter;
}

describe('public API limits, kept in PostgreSQL and shared by web processes', () => {
  it('refuses the address past its hourly limit with 429 and Retry-After, counted by both processes, and accepts again after the window', async () => {
    const tenant = await tenantWithLimits({ perAddressPerHour: 3 });
    const address = '198.51.100.23';
    expect(second.route.POST).not.toBe(first.POST);
    expect(second.orm.initORM).not.toBe(initORM);
    // Alternate processes: each sees the other's requests.
    for (const route of [first, second.route, first]) expect((await post(route, tenant.slug, question(), address)).status).toBe(201);
    const retryAfter = await expectTooMany(await post(second.route, tenant.slug, question(), address), /beaucoup de demandes.*réessayer dans \d+ minute/);
    await expectTooMany(await post(first, tenant.slug, question(), address), /beaucoup de demandes/);
    // Another client address of the same tenant is not affected.
    expect((await post(first, tenant.slug, question(), '198.51.100.24')).status).toBe(201);
    console.log(`[limits] per address: 3 accepted, 4th and 5th refused with Retry-After ${retryAfter} s`);

    await expireWindow(tenant.id);
    const again = await post(second.route, tenant.slug, question(), address);
    expect(again.status).toBe(201);
    // Refused requests took no number: 4 stored, the 5th stored one is number 5.
    expect((await again.json()).reference).toMatch(/-000005$/);
    expect(await requestCount(tenant.id)).toBe(5);
  });

  it('refuses the same contact past its limit from any address, whatever the spelling', async () => {
    const tenant = await tenantWithLimits({ perContactPerHour: 2 });
    const email = citizenEmail('contact');
    expect((await post(first, tenant.slug, question(email), '198.51.100.31')).status).toBe(201);
    expect((await post(second.route, tenant.slug, question(email.toUpperCase()), '198.51.100.32')).status).toBe(201);
    await expectTooMany(await post(first, tenant.slug, question(email), '198.51.100.33'), /beaucoup de demandes/);
    const phone = { topic: 'question', subject: 'Une question', message: 'Par SMS', contact: { phone: '06 12 34 56 78' } };
    expect((await post(first, tenant.slug, { ...phone, message: 'un' }, '198.51.100.34')).status).toBe(201);
    expect((await post(second.route, tenant.slug, { ...phone, message: 'deux', contact: { phone: '+33 6 12 34 56 78' } }, '198.51.100.35')).status).toBe(201);
    await expectTooMany(await post(first, tenant.slug, { ...phone, message: 'trois', contact: { phone: '06.12.34.56.78' } }, '198.51.100.36'), /beaucoup de demandes/);
    expect(await requestCount(tenant.id)).toBe(4);
  });

  it('refuses everyone past the tenant limit, with its own message', async () => {
    const tenant = await tenantWithLimits({ perTenantPerHour: 2 });
    expect((await post(first, tenant.slug, question(), '198.51.100.41')).status).toBe(201);
    expect((await post(second.route, tenant.slug, question(), '198.51.100.42')).status).toBe(201);
    await expectTooMany(await post(first, tenant.slug, question(), '198.51.100.43'), /très grand nombre de demandes/);
    expect(await requestCount(tenant.id)).toBe(2);
  });

  it('counts neither refused bodies nor duplicates', async () => {
    const tenant = await tenantWithLimits({ perAddressPerHour: 1 });
    for (let i = 0; i < 5; i++) expect((await post(first, tenant.slug, { ...question(), subject: 'x' }, '198.51.100.51')).status).toBe(400);
    const body = question();
    expect((await post(first, tenant.slug, body, '198.51.100.51')).status).toBe(201);
    expect((await post(second.route, tenant.slug, body, '198.51.100.51')).status).toBe(200);
    await expectTooMany(await post(first, tenant.slug, question(), '198.51.100.51'), /beaucoup de demandes/);
  });
});

describe('honest duplicates on the public API', () => {
  it('answer 200 with the existing reference and no tracking code, whatever the case and spacing, and file a new text anew', async () => {
    const tenant = await tenantWithLimits({});
    const email = citizenEmail('doublon');
    const body = { topic: 'question', subject: 'Lampadaire en panne', message: 'Le lampadaire du 3 rue Haute est éteint.', contact: { email } };
    const created = await post(first, tenant.slug, body);
    expect(created.status).toBe(201);
    const receipt = await created.json();

    const again = await post(second.route, tenant.slug, { ...body, subject: '  lampadaire   EN PANNE ', message: 'Le lampadaire du 3 rue Haute\nest éteint.', contact: { email: email.toUpperCase() } });
    expect(again.status).toBe(200);
    const duplicate = await again.json();
    expect(duplicate).toEqual({ reference: receipt.reference, dueAt: receipt.dueAt, duplicate: true, message: expect.stringMatching(/déjà été enregistrée/) });
    expect(JSON.stringify(duplicate)).not.toContain(receipt.trackingCode);

    // Another text, another topic or another contact is another request.
    expect((await post(first, tenant.slug, { ...body, message: 'Le lampadaire du 5 rue Haute est éteint.' })).status).toBe(201);
    expect((await post(first, tenant.slug, { ...body, topic: 'acte' })).status).toBe(201);
    expect((await post(first, tenant.slug, { ...body, contact: { email: citizenEmail('autre') } })).status).toBe(201);
    expect(await requestCount(tenant.id)).toBe(4);
  });

  it('make one request of ten identical posts sent at once through two processes', async () => {
    const tenant = await tenantWithLimits({});
    const body = { topic: 'question', subject: 'Envoi multiple', message: 'Le même message, envoyé dix fois.', contact: { email: citizenEmail('course') } };
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => post(i % 2 ? first : second.route, tenant.slug, body)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const references = new Set(await Promise.all(responses.map(async (r) => (await r.json()).reference)));
    expect(references.size).toBe(1);
    expect(await requestCount(tenant.id)).toBe(1);
    expect([...references][0]).toMatch(/-000001$/);
  });

  it('keep fingerprints a day at most: older ones go with the next API request', async () => {
    const tenant = await tenantWithLimits({});
    expect((await post(first, tenant.slug, question())).status).toBe(201);
    const em = (await initORM(env().DATABASE_URL!)).em.fork();
    await query(em, "update request_fingerprint set created_at = now() - interval '25 hours' where tenant_id = ?", [tenant.id]);
    expect((await post(first, tenant.slug, question())).status).toBe(201);
    const [row] = await query<{ old: number; recent: number }>(
      em,
      "select count(*) filter (where created_at < now() - interval '1 day')::int as old, count(*) filter (where created_at >= now() - interval '1 day')::int as recent from request_fingerprint where tenant_id = ?",
      [tenant.id],
    );
    expect(row).toEqual({ old: 0, recent: 1 });
  });
});
