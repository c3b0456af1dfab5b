import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { controlChar, pollutingKey, wrongForString, wrongMediaType } from './hostile-input.testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { importTenant } from '@/domain/tenant-config/import';
import { POST } from './v1/t/[tenant]/subscriptions/route';

const RUNS = 400;
const slug = `fuzz-abo-${randomUUID().slice(0, 8)}`;
let tenantId: string;

beforeAll(async () => {
  const orm = await initORM(env().DATABASE_URL!);
  await importTenant(orm, {
    slug,
    name: `Commune ${slug}`,
    // Limits far above the run's size: a malformed body must be refused for what it is, not by a limit.
    settings: { organisation: 'decentralised', limits: { perAddressPerHour: 100_000, perContactPerHour: 100_000, perTenantPerHour: 1_000_000 } },
    departments: [{ slug: 'accueil', name: 'Accueil' }],
    topics: [{ slug: 'question', label: 'Question', department: 'accueil', delay: 'P15D' }],
    lists: [
      { slug: 'meteo', label: 'Alertes météo', channels: ['sms', 'email'] },
      { slug: 'menus', label: 'Menus', channels: ['email'] },
      { slug: 'interne', label: 'Interne', channels: ['sms', 'email'], public: false },
    ],
  });
  [{ id: tenantId }] = await query<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [slug]);
});

afterAll(() => closeAllORMs());

/** Everything a subscription request could write for the tenant. */
async function footprint(): Promise<Record<string, number>> {
  const em = (await initORM(env().DATABASE_URL!)).em.fork();
  const [row] = await query<Record<string, number>>(
    em,
    `select (select count(*) from subscriber where tenant_id = ?)::int as subscribers,
            (select count(*) from subscription where tenant_id = ?)::int as subscriptions,
            (select count(*) from subscription_event where tenant_id = ?)::int as events`,
    [tenantId, tenantId, tenantId],
  );
  return row;
}


interface HostileCall {
  label: string;
  contentType: string | undefined;
  body: string;
  /** The status its envelope must get, when known. */
  status?: number;
}

const valid = () => ({ list: 'meteo', email: `fuzz-${randomUUID().slice(0, 8)}@exemple.fr` });

const hostile: fc.Arbitrary<HostileCall> = fc.oneof(
  wrongMediaType.map((contentType) => ({ label: 'media type', contentType, body: JSON.stringify(valid()), status: 415 })),
  fc.integer({ min: 256 * 1024 + 1, max: 300 * 1024 }).map((size) => ({ label: 'size', contentType: 'application/json', body: JSON.stringify({ ...valid(), list: 'x'.repeat(size) }), status: 413 })),
  fc.tuple(fc.integer({ min: 33, max: 3000 }), fc.constantFrom('[', '{"a":')).map(([depth, open]) => {
    const close = open === '[' ? ']' : '}';
    return { label: `depth ${depth}`, contentType: 'application/json', body: `{"list":"meteo","x":${open.repeat(depth)}1${close.repeat(depth)}}`, status: 400 };
  }),
  fc.tuple(fc.constantFrom('list', 'email', 'phone'), wrongForString).map(([field, value]) => ({ label: `wrong ${field}`, contentType: 'application/json', body: JSON.stringify({ ...valid(), [field]: value }), status: 400 })),
  fc.tuple(fc.constantFrom('list', 'email', 'phone'), controlChar, fc.string({ maxLength: 10 })).map(([field, bad, text]) => ({
    label: `control in ${field}`,
    contentType: 'application/json',
    body: JSON.stringify({ ...valid(), [field]: `${text}${bad}x` }),
    status: 400,
  })),
  fc.tuple(fc.constantFrom('interne', 'inconnue', 'MENUS ', '', '../meteo', 'meteo\u0000'), fc.boolean()).map(([list, byPhone]) => ({
    label: `list ${list}`,
    contentType: 'application/json',
    body: JSON.stringify(byPhone ? { list, phone: '06 12 34 56 78' } : { list, email: 'a@exemple.fr' }),
    status: 400,
  })),
  pollutingKey.map((key) => ({ label: key, contentType: 'application/json', body: `{"list":"meteo","email":"a@exemple.fr","${key}":{"x":1}}`, status: 400 })),
  fc.string({ maxLength: 200 }).map((body) => ({ label: 'garbage', contentType: 'application/json', body })),
  fc.string({ maxLength: 80 }).map((email) => ({ label: 'any e-mail', contentType: 'application/json', body: JSON.stringify({ list: 'menus', email }) })),
  fc.string({ maxLength: 40 }).map((phone) => ({ label: 'any phone', contentType: 'application/json', body: JSON.stringify({ list: 'meteo', phone }) })),
  fc.constant({ label: 'nothing', contentType: 'application/json', body: '{"list":"meteo"}', status: 400 }),
  fc.constant({ label: 'sms on an e-mail list', contentType: 'application/json', body: '{"list":"menus","phone":"06 12 34 56 78"}', status: 400 }),
);

function call(payload: HostileCall): Promise<Response> {
  const headers: Record<string, string> = { 'x-forwarded-for': '198.51.100.200' };
  if (payload.contentType !== undefined) headers['content-type'] = payload.contentType;
  return POST(new Request('http://relais.test/api', { method: 'POST', headers, body: payload.body }), { params: Promise.resolve({ tenant: slug }) });
}

describe('POST /api/v1/t/{tenant}/subscriptions under hostile input', () => {
  it('never answers 5xx; refused bodies get their 4xx with French errors and write nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (payload) => {
        const before = await footprint();
        const response = await call(payload);
        if (payload.status !== undefined) expect(response.status, payload.label).toBe(payload.status);
        expect([202, 400, 413, 415], `${payload.label}: ${payload.body.slice(0, 80)}`).toContain(response.status);
        if (response.status === 202) return;
        const body = (await response.json()) as { errors: Array<{ path: string; message: string }> };
        expect(body.errors.length, payload.label).toBeGreaterThan(0);
        for (const error of body.errors) expect(error.message, payload.label).toMatch(/[a-zéèàç]/i);
        expect(await footprint(), payload.label).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });
});
