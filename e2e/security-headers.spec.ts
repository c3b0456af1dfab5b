import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '@/dev/ports';
import { hashPassword } from '@/domain/auth/passwords';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { NEXT_BIN, waitForHealth } from '@/scripts/web-build';
import { stopChild } from '@/dev/temporal-dev-server';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { expect, test } from './fixtures';

const base = () => process.env.E2E_BASE_URL!;
const PASSWORD = 'mot-de-passe-de-test';

/** Logs in through the API as the console does; returns the Cookie header value and the Set-Cookie it got. */
async function login(origin: string, tenant: string, email: string, password: string): Promise<{ cookie: string; setCookie: string }> {
  const response = await fetch(`${origin}/api/v1/t/${tenant}/agent/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, 'sec-fetch-site': 'same-origin' },
    body: JSON.stringify({ email, password }),
  });
  expect(response.status, `login of ${email}`).toBe(204);
  const setCookie = response.headers.get('set-cookie')!;
  return { cookie: setCookie.split(';')[0], setCookie };
}

const get = (path: string, cookie?: string, origin = base()) => fetch(`${origin}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });

/** Another municipality, with passwords, for the cross-tenant checks. */
async function otherTenant() {
  const tenant = await createTestTenant();
  const orm = await initORM(env().DATABASE_URL!);
  await query(orm.em.fork(), 'update agent set password_hash = ? where tenant_id = (select id from tenant where slug = ?)', [await hashPassword(PASSWORD), tenant.slug]);
  const [{ id }] = await query<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [tenant.slug]);
  return { ...tenant, id };
}

test.describe('security headers, cookies and CORS (development stack over http)', () => {
  test('every page and API response carries the policy, nosniff and Referrer-Policy, never HSTS over http', async () => {
    const frames: Record<string, string> = {
      '/t/demo': "frame-ancestors 'self' https://www.ville-demo.fr",
      '/t/demo/question': "frame-ancestors 'self' https://www.ville-demo.fr",
      '/t/demo/suivi': "frame-ancestors 'self' https://www.ville-demo.fr",
      '/console/demo/connexion': "frame-ancestors 'none'",
      '/api/v1/t/demo/topics': "frame-ancestors 'none'",
      '/api/health': "frame-ancestors 'none'",
      '/t/commune-inconnue': "frame-ancestors 'self'",
      '/': "frame-ancestors 'none'",
    };
    const nonces = new Set<string>();
    for (const [path, ancestors] of Object.entries(frames)) {
      const response = await get(path);
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy, path).toContain(ancestors);
      expect(policy, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'(;|$)/);
      expect(policy, path).not.toContain('upgrade-insecure-requests');
      expect(policy.replace("style-src 'self' 'unsafe-inline'", ''), path).not.toContain('unsafe-');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('same-origin');
      expect(response.headers.get('strict-transport-security'), path).toBeNull();
      nonces.add(/'nonce-([^']+)'/.exec(policy)![1]);
      const html = response.headers.get('content-type')?.startsWith('text/html') ? await response.text() : '';
      // Each script of the page carries this response's nonce.
      for (const [, nonce] of html.matchAll(/<script[^>]*\snonce="([^"]+)"/g)) expect(nonce, path).toBe(/'nonce-([^']+)'/.exec(policy)![1]);
      if (html) expect(html, path).toMatch(/<script[^>]*\snonce="/);
    }
    expect(nonces.size).toBe(Object.keys(frames).length);
    // Smart forms load validators generated on the server (ajv standalone): no eval there either.
    const form = (await get('/t/demo/formulaires/acte-naissance')).headers.get('content-security-policy');
    expect(form).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic';/);
    expect(form).not.toContain('unsafe-eval');
  });

  test('session cookies are HttpOnly and SameSite=Lax (Secure only behind https)', async () => {
    const { setCookie } = await login(base(), 'demo', 'accueil@ville-demo.fr', 'demo-agent-2026');
    expect(setCookie).toMatch(/^relais_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
  });

  test('the public API answers CORS only to the origins its municipality lists', async () => {
    const preflight = (origin: string) =>
      fetch(`${base()}/api/v1/t/demo/requests`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const allowed = await preflight('https://www.ville-demo.fr');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://www.ville-demo.fr');
    expect(allowed.headers.get('access-control-allow-methods')).toBe('GET, POST');
    const refused = await preflight('https://ailleurs.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();

    const orm = await initORM(env().DATABASE_URL!);
    const count = async () => (await query<{ n: number }>(orm.em.fork(), "select count(*)::int as n from request r join tenant t on t.id = r.tenant_id where t.slug = 'demo'"))[0].n;
    const before = await count();
    // A CORS-"simple" post from another site: refused before the route, nothing filed.
    const simple = await fetch(`${base()}/api/v1/t/demo/requests`, {
      method: 'POST',
      headers: { origin: 'https://ailleurs.example', 'content-type': 'text/plain' },
      body: JSON.stringify({ topic: 'question', subject: 'Intrusion', message: 'Depuis un autre site.', contact: { email: 'x@exemple.fr' } }),
    });
    expect(simple.status).toBe(403);
    expect((await simple.json()).error).toBe('Ce site n’est pas autorisé à envoyer des demandes à cette commune.');
    expect(await count()).toBe(before);

    const read = await fetch(`${base()}/api/v1/t/demo/topics`, { headers: { origin: 'https://ailleurs.example' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    const listed = await fetch(`${base()}/api/v1/t/demo/topics`, { headers: { origin: 'https://www.ville-demo.fr' } });
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://www.ville-demo.fr');
    expect(listed.headers.get('vary')).toContain('Origin');
  });

  test('console pages answer by role: 403 with the French page where the role may not go', async () => {
    const other = await otherTenant();
    const sessions: Record<string, string | undefined> = {
      anonymous: undefined,
      agent: (await login(base(), 'demo', 'accueil@ville-demo.fr', 'demo-agent-2026')).cookie,
      validator: (await login(base(), 'demo', 'etat-civil@ville-demo.fr', 'demo-agent-2026')).cookie,
      head: (await login(base(), 'demo', 'chef.etat-civil@ville-demo.fr', 'demo-agent-2026')).cookie,
      admin: (await login(base(), 'demo', 'admin@ville-demo.fr', 'demo-admin-2026')).cookie,
      dpo: (await login(base(), 'demo', 'dpo@ville-demo.fr', 'demo-dpo-2026')).cookie,
      'administrator of another municipality': (await login(base(), other.slug, other.mail('admin'), PASSWORD)).cookie,
    };
    const filed = await fetch(`${base()}/api/v1/t/demo/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'question', subject: 'Matrice de la console', message: 'Bonjour.', contact: { email: `matrice-${randomUUID().slice(0, 8)}@exemple.fr` } }),
    });
    const { reference } = await filed.json();
    const composed = await fetch(`${base()}/api/v1/t/demo/agent/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base(), 'sec-fetch-site': 'same-origin', cookie: sessions.admin! },
      body: JSON.stringify({ list: 'securite', title: 'Matrice de la console', body: 'Message de la matrice.', channels: ['sms'] }),
    });
    expect(composed.status, await composed.clone().text()).toBe(201);
    const { id: campaign } = await composed.json();
    const [{ id: subscriber }] = await query<{ id: string }>(
      (await initORM(env().DATABASE_URL!)).em.fork(),
      `insert into subscriber (id, tenant_id, channel, address) select gen_random_uuid(), id, 'email', ? from tenant where slug = 'demo' returning id`,
      [`matrice-${randomUUID().slice(0, 8)}@exemple.fr`],
    );
    const LOGIN = 307;
    const everyone = { anonymous: 200, agent: 200, validator: 200, head: 200, admin: 200, dpo: 200 };
    const agents = { anonymous: LOGIN, agent: 200, validator: 200, head: 200, admin: 200, dpo: 200 };
    const dataProtection = { anonymous: LOGIN, agent: 403, validator: 403, head: 403, admin: 200, dpo: 200 };
    const adminOnly = { anonymous: LOGIN, agent: 403, validator: 403, head: 403, admin: 200, dpo: 403 };
    // Keyed by page file under app/console/[tenant]/: a page added later fails this test until it is listed.
    const expected: Record<string, { path: string; byRole: Record<string, number> }> = {
      'page.tsx': { path: '/console/demo', byRole: agents },
      'accueil-guichet/page.tsx': { path: '/console/demo/accueil-guichet', byRole: agents },
      'quarantaine/page.tsx': { path: '/console/demo/quarantaine', byRole: agents },
      'demandes/[reference]/page.tsx': { path: `/console/demo/demandes/${reference}`, byRole: agents },
      'tableau-de-bord/page.tsx': { path: '/console/demo/tableau-de-bord', byRole: { anonymous: LOGIN, agent: 403, validator: 403, head: 200, admin: 200, dpo: 403 } },
      'admin/page.tsx': { path: '/console/demo/admin', byRole: { anonymous: LOGIN, agent: 403, validator: 403, head: 403, admin: 200, dpo: 403 } },
      'admin/courriel/page.tsx': { path: '/console/demo/admin/courriel', byRole: { anonymous: LOGIN, agent: 403, validator: 403, head: 403, admin: 200, dpo: 403 } },
      'admin/processus/page.tsx': { path: '/console/demo/admin/processus', byRole: { anonymous: LOGIN, agent: 403, validator: 403, head: 403, admin: 200, dpo: 403 } },
      'admin/processus/[slug]/page.tsx': { path: '/console/demo/admin/processus/question', byRole: { anonymous: LOGIN, agent: 403, validator: 403, head: 403, admin: 200, dpo: 403 } },
      'formulaires/page.tsx': { path: '/console/demo/formulaires', byRole: { anonymous: LOGIN, agent: 403, validator: 403, head: 403, admin: 200, dpo: 403 } },
      'journal/page.tsx': { path: '/console/demo/journal', byRole: dataProtection },
      'campagnes/page.tsx': { path: '/console/demo/campagnes', byRole: agents },
      'campagnes/nouvelle/page.tsx': { path: '/console/demo/campagnes/nouvelle', byRole: agents },
      'campagnes/[id]/page.tsx': { path: `/console/demo/campagnes/${campaign}`, byRole: agents },
      'campagnes/[id]/modifier/page.tsx': { path: `/console/demo/campagnes/${campaign}/modifier`, byRole: agents },
      'catalogue/page.tsx': { path: '/console/demo/catalogue', byRole: adminOnly },
      'catalogue/nouveau/page.tsx': { path: '/console/demo/catalogue/nouveau', byRole: adminOnly },
      'catalogue/[slug]/page.tsx': { path: '/console/demo/catalogue/theatre-le-cid', byRole: adminOnly },
      // The régisseur (regie@ville-demo.fr) is let in as well: the agent API's security matrix holds that role.
      'regie/page.tsx': { path: '/console/demo/regie', byRole: adminOnly },
      'donnees-personnelles/page.tsx': { path: '/console/demo/donnees-personnelles', byRole: dataProtection },
      'abonnes/page.tsx': { path: '/console/demo/abonnes', byRole: dataProtection },
      'abonnes/[id]/page.tsx': { path: `/console/demo/abonnes/${subscriber}`, byRole: dataProtection },
      'connexion/page.tsx': { path: '/console/demo/connexion', byRole: everyone },
      'mot-de-passe/page.tsx': { path: '/console/demo/mot-de-passe', byRole: everyone },
    };
    const pages = (fs.readdirSync(path.join('app', 'console', '[tenant]'), { recursive: true }) as string[]).filter((f) => path.basename(f) === 'page.tsx').map((f) => f.split(path.sep).join('/'));
    expect(pages.filter((page) => !expected[page])).toEqual([]);
    expect(Object.keys(expected).filter((page) => !pages.includes(page))).toEqual([]);
    const wrong: string[] = [];
    let cells = 0;
    for (const { path: page, byRole } of Object.values(expected)) {
      for (const [role, cookie] of Object.entries(sessions)) {
        // Another municipality's session is no session here: the login page, as for a visitor.
        const status = byRole[role] ?? byRole.anonymous;
        const response = await get(page, cookie);
        const body = await response.text();
        cells += 1;
        if (response.status !== status) wrong.push(`${page} × ${role}: ${response.status}, expected ${status}`);
        if (response.status === 403 && !/Accès refusé|réservée aux administrateurs/.test(body)) wrong.push(`${page} × ${role}: 403 without the French explanation`);
      }
    }
    expect(wrong).toEqual([]);
    expect(cells).toBe(168);
  });

  test('development views show a municipality’s messages to its administrators only', async () => {
    const other = await otherTenant();
    const orm = await initORM(env().DATABASE_URL!);
    const phone = `+3367${Math.floor(Math.random() * 1e7).toString().padStart(7, '0')}`;
    await query(
      orm.em.fork(),
      `insert into sms_message (id, tenant_id, idempotency_key, recipient, sender, text, data_coding, segment_count, status)
       values (?, ?, ?, ?, '36180', 'Code de suivi confidentiel', 0, 1, 'delivered')`,
      [randomUUID(), other.id, `test:${randomUUID()}`, phone],
    );
    const citizen = `dev-view-${randomUUID().slice(0, 8)}@exemple.fr`;
    const filed = await fetch(`${base()}/api/v1/t/demo/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'question', subject: 'Vue de développement', message: 'Bonjour.', contact: { email: citizen } }),
    });
    expect(filed.status).toBe(201);
    const { reference } = await filed.json();

    const anonymous = await (await get('/dev/sms')).text();
    expect(anonymous).toContain('Vue de développement');
    expect(anonymous).toContain('Connectez-vous à la console de votre commune');
    expect(anonymous).not.toContain('<table');

    const agent = (await login(base(), 'demo', 'accueil@ville-demo.fr', 'demo-agent-2026')).cookie;
    expect(await (await get('/dev/courriels', agent)).text()).toContain('Connectez-vous à la console de votre commune');

    const demoAdmin = (await login(base(), 'demo', 'admin@ville-demo.fr', 'demo-admin-2026')).cookie;
    const otherAdmin = (await login(base(), other.slug, other.mail('admin'), PASSWORD)).cookie;
    expect(await (await get('/dev/sms', demoAdmin)).text()).not.toContain(phone);
    expect(await (await get('/dev/sms', otherAdmin)).text()).toContain(phone);
    await expect.poll(async () => (await (await get('/dev/courriels', demoAdmin)).text()).includes(citizen), { timeout: 20_000 }).toBe(true);
    const otherMail = await (await get('/dev/courriels', otherAdmin)).text();
    expect(otherMail).not.toContain(citizen);
    expect(otherMail).not.toContain(reference);
  });
});

test.describe('a real deployment: SMTP_URL and SMPP_URL of its own, PUBLIC_URL in https', () => {
  let web: ChildProcess | undefined;
  let origin = '';

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const deployment: NodeJS.ProcessEnv = { ...process.env, PUBLIC_URL: 'https://relais.ville-exemple.fr', SMTP_URL: process.env.SMTP_URL, SMPP_URL: process.env.SMPP_URL ?? 'smpp://127.0.0.1:2775' };
    delete deployment.MAIL_SINK_URL;
    delete deployment.SMSC_CONTROL_URL;
    web = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], { env: deployment, stdio: 'ignore' });
    await waitForHealth(`${origin}/api/health`, { requireGreen: false });
  });

  test.afterAll(async () => {
    if (web) await stopChild(web);
  });

  test('every /dev path answers 404, logged in or not, whatever the method', async () => {
    const admin = (await login(origin, 'demo', 'admin@ville-demo.fr', 'demo-admin-2026')).cookie;
    // A trailing slash is first redirected (308) to the same path without it, which answers 404 too.
    const paths = ['/dev', '/dev/', '/dev/sms', '/dev/sms/', '/dev/sms?x=1', '/dev/courriels', '/dev/courriels/1', '/dev/inconnu', '/dev/smsc'];
    for (const path of paths) {
      for (const cookie of [undefined, admin]) {
        const response = await fetch(`${origin}${path}`, { headers: cookie ? { cookie } : {} });
        expect(response.status, `${path} ${cookie ? 'as administrator' : 'anonymous'}`).toBe(404);
        expect(await response.text()).not.toMatch(/SMS de développement|Courriels de développement/);
      }
    }
    const post = await fetch(`${origin}/dev/sms`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin }, body: 'from=0612345678&to=36180&text=MAIRE' });
    expect(post.status).toBe(404);
  });

  test('HSTS and upgrade-insecure-requests on every response, Secure cookies', async () => {
    for (const path of ['/t/demo', '/console/demo/connexion', '/api/v1/t/demo/topics', '/dev/sms']) {
      const response = await get(path, undefined, origin);
      expect(response.headers.get('strict-transport-security'), path).toBe('max-age=31536000');
      expect(response.headers.get('content-security-policy'), path).toContain('upgrade-insecure-requests');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
    const { setCookie } = await login(origin, 'demo', 'accueil@ville-demo.fr', 'demo-agent-2026');
    expect(setCookie).toMatch(/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
  });
});
