import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { DEFAULT_RETENTION } from '@/domain/privacy/retention-policy';
import { parseRetentionPolicy } from '@/domain/privacy/retention-settings';
import { query } from '@/domain/sql';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { call, sessionFor, setPassword } from '@/app/console/_server/testing';
import { GET, POST } from './route';

let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let admin: string;
const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
const stored = async () => (await query<{ retention: unknown }>(await em(), `select settings->'retention' as retention from tenant where slug = ?`, [tenant.slug]))[0].retention;
const audits = async () =>
  query<{ data: { before: unknown; after: unknown } }>(
    await em(),
    `select l.data from audit_log l join tenant t on t.id = l.tenant_id where t.slug = ? and l.action = 'admin.settings.retention' order by l.at`,
    [tenant.slug],
  );

function acceptable(raw: string): boolean {
  try {
    parseRetentionPolicy(JSON.parse(raw));
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  tenant = await createTestTenant();
  for (const who of ['admin', 'agent']) await setPassword(tenant.slug, tenant.mail(who), 'mot-de-passe-de-test');
  admin = await sessionFor(tenant.slug, tenant.mail('admin'));
});
afterAll(() => closeAllORMs());

describe('retention settings', () => {
  it('shows the defaults, saves new durations in the tenant settings and audits the change', async () => {
    expect(await (await call(GET, { tenant: tenant.slug }, { cookie: admin })).json()).toEqual(DEFAULT_RETENTION);
    const saved = await call(POST, { tenant: tenant.slug }, { method: 'POST', cookie: admin, body: { requestsMonths: '36', documentsMonths: '6', messageLogsMonths: '3', auditYears: 6 } });
    expect(saved.status).toBe(200);
    const after = { requestsMonths: 36, documentsMonths: 6, messageLogsMonths: 3, auditYears: 6 };
    expect(await stored()).toEqual(after);
    expect(await (await call(GET, { tenant: tenant.slug }, { cookie: admin })).json()).toEqual(after);
    expect((await audits()).map((a) => a.data)).toEqual([{ before: DEFAULT_RETENTION, after }]);
  });

  it('refuses values out of bounds with French field errors and changes nothing', async () => {
    const before = await stored();
    const response = await call(POST, { tenant: tenant.slug }, { method: 'POST', cookie: admin, body: { requestsMonths: '0', documentsMonths: 'douze', messageLogsMonths: '121', auditYears: '0', extra: 1 } });
    expect(response.status).toBe(400);
    const { errors } = await response.json();
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: '/extra', message: 'Champ inconnu.' },
        { path: '/requestsMonths', message: 'Saisissez un nombre entier de 1 à 120 mois.' },
        { path: '/documentsMonths', message: 'Saisissez un nombre entier de 1 à 120 mois.' },
        { path: '/messageLogsMonths', message: 'Saisissez un nombre entier de 1 à 120 mois.' },
        { path: '/auditYears', message: 'Saisissez un nombre entier de 1 à 10 ans.' },
      ]),
    );
    const longer = await call(POST, { tenant: tenant.slug }, { method: 'POST', cookie: admin, body: { requestsMonths: '12', documentsMonths: '24', messageLogsMonths: '12', auditYears: '5' } });
    expect(longer.status).toBe(400);
    expect((await longer.json()).errors[0].path).toBe('/documentsMonths');
    expect(await stored()).toEqual(before);
  });

  it('answers hostile bodies with a 4xx, never a 5xx, and writes nothing', async () => {
    const before = await stored();
    const count = (await audits()).length;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.string(), fc.dictionary(fc.constantFrom('requestsMonths', 'documentsMonths', 'messageLogsMonths', 'auditYears', '__proto__'), fc.jsonValue())), async (body) => {
        const raw = typeof body === 'string' ? body : JSON.stringify(body);
        // Skip the rare generated body that is a valid policy: this property is about refusals.
        fc.pre(!acceptable(raw));
        const response = await call(POST, { tenant: tenant.slug }, { method: 'POST', cookie: admin, body: raw });
        expect(response.status, raw).toBe(400);
        expect((await response.json()).errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
    expect(await stored()).toEqual(before);
    expect((await audits()).length).toBe(count);
  });

  it('is for administrators only', async () => {
    const agent = await sessionFor(tenant.slug, tenant.mail('agent'));
    expect((await call(GET, { tenant: tenant.slug }, { cookie: agent })).status).toBe(403);
    expect((await call(POST, { tenant: tenant.slug }, { method: 'POST', cookie: agent, body: DEFAULT_RETENTION })).status).toBe(403);
    expect((await call(GET, { tenant: tenant.slug })).status).toBe(401);
  });
});
