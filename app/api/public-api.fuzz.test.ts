import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { anyJson, controlChar, pollutingKey, wrongForString, wrongMediaType } from './hostile-input.testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { importTenant } from '@/domain/tenant-config/import';
import { validSamples } from '@/forms/samples';
import { citizenEmail } from '@/temporal/testing/helpers';
import { POST as postForm } from './v1/t/[tenant]/forms/[slug]/requests/route';
import { POST as postReply } from './v1/t/[tenant]/requests/[reference]/replies/route';
import { POST as postRequest } from './v1/t/[tenant]/requests/route';

const RUNS = 1500;
const slug = `fuzz-${randomUUID().slice(0, 8)}`;
let tenantId: string;

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** One hostile call: which route, which headers, which raw body, and the status its envelope must get if known. */
interface HostileCall {
  label: string;
  route: 'requests' | 'form' | 'reply';
  contentType: string | undefined;
  body: string;
  status?: 400 | 413 | 415;
  forwardedFor?: string;
  accept?: string;
}

beforeAll(async () => {
  const orm = await initORM(env().DATABASE_URL!);
  await importTenant(orm, {
    slug,
    name: `Commune ${slug}`,
    // Limits far above the run's size: a malformed body must be refused for what it is, not by a limit.
    settings: { organisation: 'decentralised', limits: { perAddressPerHour: 100_000, perContactPerHour: 100_000, perTenantPerHour: 1_000_000 } },
    departments: [{ slug: 'accueil', name: 'Accueil' }],
    topics: [
      { slug: 'question', label: 'Poser une question', department: 'accueil', delay: 'P15D' },
      { slug: 'brochure', label: 'Brochure', department: 'accueil', delay: 'P15D', form: 'brochure-touristique' },
    ],
    agents: [{ email: `admin.${slug}@mairie.test`, name: 'Admin', isAdmin: true }],
  });
  [{ id: tenantId }] = await query<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [slug]);
});

afterAll(() => closeAllORMs());

/** Everything a public POST could write for the tenant: requests, their events, files and fingerprints, the counter, limit counts. */
async function footprint(): Promise<Record<string, number>> {
  const em = (await initORM(env().DATABASE_URL!)).em.fork();
  const [row] = await query<Record<string, number>>(
    em,
    `select (select count(*) from request where tenant_id = ?)::int as requests,
            (select count(*) from request_event e join request r on r.id = e.request_id where r.tenant_id = ?)::int as events,
            (select count(*) from attachment where tenant_id = ?)::int as attachments,
            (select count(*) from request_fingerprint where tenant_id = ?)::int as fingerprints,
            (select coalesce(sum(value), 0) from reference_counter where tenant_id = ?)::int as references,
            (select count(*) from portal_rate_limit where key like ?)::int as limits`,
    [tenantId, tenantId, tenantId, tenantId, tenantId, `api-%${tenantId}%`],
  );
  return row;
}

function validRequest(): Record<string, unknown> {
  return { topic: 'question', subject: 'Horaires de la mairie', message: 'Bonjour, quels sont vos horaires ?', contact: { name: 'Jeanne', email: citizenEmail('fuzz') } };
}

const jsonMediaType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"');

/** A valid body with one field replaced by a value of the wrong type, or removed. */
const brokenField = fc
  .tuple(fc.constantFrom('topic', 'subject', 'message', 'contact', 'contact.email', 'contact.phone', 'contact.name', 'channel', 'data', 'attachments', 'consent'), wrongForString, fc.boolean())
  // Values that happen to be valid there (an object for data, a boolean for consent, no attachments) are not wrong.
  .filter(
    ([field, value]) =>
      !(field === 'data' && typeof value === 'object' && value !== null && !Array.isArray(value)) &&
      !(field === 'consent' && typeof value === 'boolean') &&
      !(field === 'attachments' && Array.isArray(value) && value.length === 0),
  )
  .map(([field, value, remove]) => {
    const body = validRequest();
    const [head, tail] = field.split('.');
    const target = (tail ? body[head] : body) as Record<string, unknown>;
    const key = tail ?? head;
    // Removing an optional field leaves a valid body: remove only required ones, else replace.
    if (remove && ['topic', 'subject', 'message', 'contact'].includes(key) && !tail) delete target[key];
    else target[key] = value;
    return JSON.stringify(body);
  });

const hostileBodies: fc.Arbitrary<HostileCall> = fc.oneof(
  // A valid body under a media type a cross-site form could send, or none.
  wrongMediaType.map((contentType) => ({ label: 'media type', route: 'requests' as const, contentType, body: JSON.stringify(validRequest()), status: 415 as const })),
  // Nested arrays and objects, from just past the limit to thousands of levels.
  fc.tuple(fc.integer({ min: 33, max: 6000 }), fc.constantFrom('[', '{"a":'), fc.constantFrom('data', 'contact', 'root')).map(([depth, open, where]) => {
    const close = open === '[' ? ']' : '}';
    const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
    const base = JSON.stringify(validRequest());
    const body = where === 'root' ? nested : base.replace(/}$/, `,"${where === 'data' ? 'data' : 'extra'}":${nested}}`);
    return { label: `depth ${depth}`, route: 'requests' as const, contentType: 'application/json', body, status: 400 as const };
  }),
  // Bodies past 256 KB.
  fc.integer({ min: 256 * 1024 + 1, max: 400 * 1024 }).map((size) => ({ label: `size ${size}`, route: 'requests' as const, contentType: 'application/json', body: JSON.stringify({ ...validRequest(), message: 'x'.repeat(size) }), status: 413 as const })),
  // Wrong types and missing fields.
  fc.tuple(jsonMediaType, brokenField).map(([contentType, body]) => ({ label: 'wrong field', route: 'requests' as const, contentType, body })),
  // Control characters and lone surrogates in any text field.
  fc.tuple(fc.constantFrom('subject', 'message', 'name'), fc.oneof(controlChar, fc.constantFrom('\ud800', '\udfff')), fc.string({ maxLength: 20 })).map(([field, bad, text]) => {
    const body = validRequest();
    if (field === 'name') (body.contact as Record<string, unknown>).name = `${text}${bad}x`;
    else body[field] = `Bonjour ${text}${bad} fin`;
    return { label: `character ${bad.charCodeAt(0)}`, route: 'requests' as const, contentType: 'application/json', body: JSON.stringify(body), status: 400 as const };
  }),
  // Prototype-pollution keys at the root, in the contact or in the form data.
  fc.tuple(pollutingKey, fc.constantFrom('root', 'contact', 'data'), anyJson).map(([key, where, value]) => {
    const member = `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`;
    const base = JSON.stringify(validRequest());
    const body =
      where === 'root' ? base.replace(/^{/, `{${member},`) : where === 'contact' ? base.replace('"contact":{', `"contact":{${member},`) : base.replace(/}$/, `,"data":{${member}}}`);
    return { label: `key ${key} in ${where}`, route: 'requests' as const, contentType: 'application/json', body, status: 400 as const };
  }),
  // Not JSON at all, or cut short.
  fc.oneof(fc.string({ maxLength: 200 }), fc.integer({ min: 1, max: 60 }).map((n) => JSON.stringify(validRequest()).slice(0, n))).filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  }).map((body) => ({ label: 'not json', route: 'requests' as const, contentType: 'application/json', body, status: 400 as const })),
  // Any JSON value at all: never a request (it has no contact e-mail of ours), never a 5xx.
  anyJson.map((value) => ({ label: 'any json', route: 'requests' as const, contentType: 'application/json', body: JSON.stringify(value) })),
  // Unicode everywhere but a text too long: refused whole.
  fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), fc.integer({ min: 10_001, max: 12_000 })).map(([text, length]) => ({
    label: 'unicode, too long',
    route: 'requests' as const,
    contentType: 'application/json',
    body: JSON.stringify({ ...validRequest(), subject: `Objet ${text}`, message: text.repeat(Math.ceil(length / text.length)).padEnd(length, 'é') }),
    status: 400 as const,
  })),
  // A body valid in every field but attachments that do not exist: refused inside the intake transaction.
  fc.array(fc.uuid({ version: 4 }), { minLength: 1, maxLength: 5 }).map((ids) => ({ label: 'unknown attachments', route: 'requests' as const, contentType: 'application/json', body: JSON.stringify({ ...validRequest(), attachments: ids }), status: 400 as const })),
  // The form route: wrong data, wrong version, extra members, wrong media type.
  fc.oneof(
    fc.record({ data: fc.oneof(wrongForString, fc.constant({ ...validSamples()['brochure-touristique'], courriel: 42 })), version: fc.option(fc.oneof(fc.integer({ max: 0 }), fc.double(), fc.string())) }, { requiredKeys: ['data'] }),
    fc.record({ data: fc.constant(validSamples()['brochure-touristique']), extra: anyJson }),
  ).map((body) => ({ label: 'form', route: 'form' as const, contentType: 'application/json', body: JSON.stringify(body) })),
  wrongMediaType.map((contentType) => ({ label: 'form media type', route: 'form' as const, contentType, body: JSON.stringify({ data: validSamples()['brochure-touristique'] }), status: 415 as const })),
  // The reply route with bodies that never name a real request.
  fc.oneof(anyJson, fc.record({ code: wrongForString, message: fc.string() })).map((value) => ({ label: 'reply', route: 'reply' as const, contentType: 'application/json', body: JSON.stringify(value) })),
);

/** Each body with hostile headers too: any printable X-Forwarded-For (long, empty, not an address) and Accept. */
const calls: fc.Arbitrary<HostileCall> = fc
  .tuple(hostileBodies, fc.option(fc.stringMatching(/^[ -~]{0,300}$/)), fc.option(fc.constantFrom('*/*', 'text/html', 'application/json', 'image/png, */*;q=0.1')))
  .map(([call, forwardedFor, accept]) => ({ ...call, forwardedFor: forwardedFor ?? undefined, accept: accept ?? undefined }));

async function send(call: HostileCall): Promise<Response> {
  const headers = new Headers();
  if (call.contentType !== undefined) headers.set('content-type', call.contentType);
  if (call.forwardedFor !== undefined) headers.set('x-forwarded-for', call.forwardedFor);
  if (call.accept !== undefined) headers.set('accept', call.accept);
  const request = new Request('http://relais.test/api', { method: 'POST', headers, body: call.body });
  // A body-less Request gets text/plain from undici: drop it so "no content type" is really sent as such.
  if (call.contentType === undefined) request.headers.delete('content-type');
  const [handler, params]: [Handler, Record<string, string>] =
    call.route === 'form'
      ? [postForm as Handler, { tenant: slug, slug: 'brochure-touristique' }]
      : call.route === 'reply'
        ? [postReply as Handler, { tenant: slug, reference: '2026-000001' }]
        : [postRequest as Handler, { tenant: slug }];
  return handler(request, { params: Promise.resolve(params) });
}

describe(`public API under ${RUNS} generated hostile bodies and headers`, () => {
  it(`answers each of ${RUNS} with a French 4xx, writes nothing and burns no reference`, async () => {
    const before = await footprint();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(calls, async (call) => {
        const response = await send(call);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, `${call.label}: ${call.body.slice(0, 120)}`).toBeGreaterThanOrEqual(400);
        expect(response.status, `${call.label}: ${call.body.slice(0, 120)}`).toBeLessThan(500);
        if (call.status) expect(response.status, `${call.label}: ${call.body.slice(0, 120)}`).toBe(call.status);
        const answer = (await response.json()) as { errors?: Array<{ path: string; message: string }>; error?: string };
        const messages = answer.errors?.map((e) => e.message) ?? [answer.error];
        for (const message of messages) expect(message).toMatch(/[a-zéèàç]/);
      }),
      { numRuns: RUNS },
    );
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(`[fuzz] ${total} hostile calls; statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(total).toBeGreaterThanOrEqual(RUNS);
    expect(await footprint()).toEqual(before);

    // The next valid request takes the next number: nothing was burnt by the refusals.
    const response = await send({ label: 'valid', route: 'requests', contentType: 'application/json', body: JSON.stringify(validRequest()) });
    expect(response.status).toBe(201);
    const { reference } = (await response.json()) as { reference: string };
    expect(reference).toBe(`${new Date().getUTCFullYear()}-${String(before.references + 1).padStart(6, '0')}`);
  });
});
