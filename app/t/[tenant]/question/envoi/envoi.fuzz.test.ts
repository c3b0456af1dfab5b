import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORM_TOKEN_FIELD, HONEYPOT_FIELD } from '@/domain/antispam/fields';
import { createFormClock } from '@/domain/antispam/form-clock';
import { env, resetEnv } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant } from '@/temporal/testing/fixtures';

process.env.RELAIS_SECRET ??= randomBytes(32).toString('hex');
resetEnv();
const { POST } = await import('./route');

const RUNS = 400;
let tenant: { slug: string; id: string };

beforeAll(async () => {
  const created = await createTestTenant();
  const [{ id }] = await query<{ id: string }>((await initORM(env().DATABASE_URL!)).em.fork(), 'select id from tenant where slug = ?', [created.slug]);
  tenant = { slug: created.slug, id };
});
afterAll(() => closeAllORMs());

const shown = () => createFormClock(process.env.RELAIS_SECRET!, () => Date.now() - 10_000).issue();

/** Text a person or a robot could post: ordinary, empty, huge, with control characters, lone surrogates or markup. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom('', ' ', 'Bonjour', '<script>alert(1)</script>', "'; drop table request; --", '\u0000', 'a\u0007b', '\ud800', 'x\u007f', '\u202e'),
  fc.integer({ min: 9_000, max: 30_000 }).map((n) => 'é'.repeat(n)),
);
/** Mostly a valid value (so that some posts are filed and the count is checked both ways), else hostile or absent. */
const VALID = Symbol('valid');
const field = fc.oneof({ arbitrary: fc.constant(VALID), weight: 4 }, { arbitrary: hostileText, weight: 1 }, { arbitrary: fc.constant(undefined), weight: 1 });

const posts = fc.record({
  topic: field,
  subject: field,
  message: field,
  name: field,
  email: field,
  phone: field,
  postalAddress: field,
  channel: fc.oneof(fc.constant(VALID), fc.constantFrom('sms', 'post'), hostileText),
  consent: field,
  honeypot: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: hostileText, weight: 1 }),
  token: fc.oneof({ arbitrary: fc.constant('fresh'), weight: 8 }, { arbitrary: fc.constantFrom('forged', undefined), weight: 1 }),
  json: fc.boolean(),
});

/** The valid value of each field for the run's own citizen (own address, own e-mail: the limits stay out of the way). */
function validValues(run: number): Record<string, string> {
  return {
    topic: 'question',
    subject: 'Horaires de la piscine',
    message: `Bonjour, quels sont les horaires ? (${run})`,
    name: 'Jeanne Essai',
    email: `fuzz-${run}-${randomBytes(3).toString('hex')}@exemple.fr`,
    phone: `06 ${String(Math.floor(run / 100) % 100).padStart(2, '0')} ${String(run % 100).padStart(2, '0')} ${randomBytes(1)[0] % 90 + 10} 78`,
    postalAddress: '3 rue des Écoles, 75005 Paris',
    channel: 'email',
    consent: 'oui',
  };
}

async function requests(): Promise<number> {
  const [row] = await query<{ n: number }>((await initORM(env().DATABASE_URL!)).em.fork(), 'select count(*)::int as n from request where tenant_id = ?', [tenant.id]);
  return row.n;
}

describe(`the portal question form under ${RUNS} generated hostile posts`, () => {
  it(`answers each of ${RUNS} without a 5xx, and files a request only for the posts it accepts`, async () => {
    const before = await requests();
    let accepted = 0;
    const statuses = new Map<number, number>();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(posts, async (post) => {
        run++;
        const valid = validValues(run);
        const form = new FormData();
        for (const name of ['topic', 'subject', 'message', 'name', 'email', 'phone', 'postalAddress', 'channel', 'consent'] as const) {
          const value = post[name] === VALID ? valid[name] : post[name];
          if (typeof value === 'string') form.set(name, value);
        }
        if (post.honeypot !== undefined) form.set(HONEYPOT_FIELD, post.honeypot);
        if (post.token) form.set(FORM_TOKEN_FIELD, post.token === 'fresh' ? shown() : `${Date.now() - 60_000}.bm9uY2U.bm9uLXNpZ25l`);
        const address = `198.18.${Math.floor(run / 250)}.${run % 250}`;
        const headers = { 'x-forwarded-for': address, accept: post.json ? 'application/json' : 'text/html' };
        const request = new Request(`http://relais.test/t/${tenant.slug}/question/envoi`, { method: 'POST', headers, body: form });
        const response = await POST(request, { params: Promise.resolve({ tenant: tenant.slug }) });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, JSON.stringify(post).slice(0, 300)).toBeLessThan(500);
        const filed = post.json ? response.status === 200 : (response.headers.get('location') ?? '').includes('/confirmation/');
        if (filed) accepted++;
        if (!post.json) expect(response.status).toBe(303);
      }),
      { numRuns: RUNS },
    );
    console.log(`[fuzz] portal question form: ${RUNS} posts, ${accepted} filed; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(await requests()).toBe(before + accepted);
  });
});
