import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { createTestTenant, fileRequest } from '@/temporal/testing/fixtures';
import { citizenEmail } from '@/temporal/testing/helpers';
import { call, sessionFor, setPassword } from '@/app/console/_server/testing';
import type { Requirement } from '@/domain/auth/roles';
import { AGENT_ROUTE_EXPECTATIONS, discoverAgentRoutes, type AgentRoute } from './routes.testing';
import { POST as action } from './requests/[reference]/actions/[action]/route';
import { GET as getRequest } from './requests/[reference]/route';
import { GET as listRequests } from './requests/route';
import { POST as login, GET as me } from './session/route';

let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let other: Awaited<ReturnType<typeof createTestTenant>>;
let reference: string;
let otherReference: string;
const PASSWORD = 'mot-de-passe-de-test';

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  for (const t of [tenant, other]) for (const who of ['agent', 'civil', 'valideur', 'admin', 'chef', 'dpo', 'regie']) await setPassword(t.slug, t.mail(who), PASSWORD);
  reference = (await fileRequest(tenant.slug, { topic: 'acte', subject: 'Acte de naissance', contact: { email: citizenEmail() } })).receipt.reference;
  // References count per tenant: the third one of the other tenant does not exist here.
  for (let i = 0; i < 3; i += 1) otherReference = (await fileRequest(other.slug, { topic: 'acte', subject: 'Autre commune', contact: { email: citizenEmail() } })).receipt.reference;
});

afterAll(() => closeAllORMs());

async function auditCount(action: string, target: string): Promise<number> {
  const orm = await initORM(env().DATABASE_URL!);
  // References are numbered per tenant: other test files audit the same reference strings in their own tenants.
  const [row] = await orm.em.fork().getConnection().execute(
    'select count(*)::int as n from audit_log l join tenant t on t.id = l.tenant_id where t.slug = ? and l.action = ? and l.target = ?',
    [tenant.slug, action, target],
  );
  return row.n;
}

describe('agent login', () => {
  it('opens a session with the right password and refuses a wrong one, in French', async () => {
    const wrong = await call(login, { tenant: tenant.slug }, { method: 'POST', body: { email: tenant.mail('agent'), password: 'pas le bon' } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toBe('Adresse électronique ou mot de passe incorrect.');
    const cookie = await sessionFor(tenant.slug, tenant.mail('agent'), PASSWORD);
    expect(cookie).toMatch(/^relais_session=/);
    const response = await call(me, { tenant: tenant.slug }, { cookie });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: 'Agent Accueil', tenantSlug: tenant.slug, roles: [{ departmentSlug: 'accueil', role: 'agent' }] });
  });

  it('sets an HttpOnly SameSite=Lax cookie', async () => {
    const response = await call(login, { tenant: tenant.slug }, { method: 'POST', body: { email: tenant.mail('civil'), password: PASSWORD } });
    expect(response.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax/);
  });

  it('answers 400 with French field errors for a malformed login', async () => {
    const response = await call(login, { tenant: tenant.slug }, { method: 'POST', body: { email: 'pas-une-adresse' } });
    expect(response.status).toBe(400);
    const { errors } = await response.json();
    expect(errors).toEqual(expect.arrayContaining([{ path: '/email', message: 'Saisissez une adresse électronique valide.' }, { path: '/password', message: 'Saisissez votre mot de passe.' }]));
  });

});

describe('tenant isolation', () => {
  it("answers 404 for another tenant's request through one's own tenant", async () => {
    const cookie = await sessionFor(tenant.slug, tenant.mail('admin'), PASSWORD);
    expect((await call(getRequest, { tenant: tenant.slug, reference: otherReference }, { cookie })).status).toBe(404);
    const refused = await call(action, { tenant: tenant.slug, reference: otherReference, action: 'note' }, { method: 'POST', body: { text: 'intrusion' }, cookie });
    expect(refused.status).toBe(404);
    const list = await (await call(listRequests, { tenant: tenant.slug }, { cookie, path: '/x?etat=all' })).json();
    expect(list.rows.map((r: { reference: string }) => r.reference)).toContain(reference);
    const [mine] = list.rows;
    expect(list.rows.every((r: { departmentSlug: string }) => ['accueil', 'etat-civil'].includes(r.departmentSlug))).toBe(true);
    expect(mine).toBeDefined();
  });
});

describe('workflow actions through the API', () => {
  it('shows refusals, runs the validation loop and audits every action', async () => {
    const civil = await sessionFor(tenant.slug, tenant.mail('civil'), PASSWORD);
    const validator = await sessionFor(tenant.slug, tenant.mail('valideur'), PASSWORD);
    const accueil = await sessionFor(tenant.slug, tenant.mail('agent'), PASSWORD);
    const act = (cookie: string, name: string, body?: unknown) => call(action, { tenant: tenant.slug, reference, action: name }, { method: 'POST', body, cookie });

    // Reading a request takes nothing in charge: only the explicit « Prendre en charge » action does.
    const viewed = await (await call(getRequest, { tenant: tenant.slug, reference }, { cookie: civil })).json();
    expect(viewed.request.state).toBe('received');
    expect(viewed.request.timeline.map((e: { type: string }) => e.type)).toEqual(['received']);
    const opened = await act(civil, 'open');
    expect(opened.status).toBe(200);
    expect(await opened.json()).toMatchObject({ state: 'in_progress', message: 'Prise en charge' });

    const elsewhere = await act(accueil, 'note', { text: 'Je regarde' });
    expect(elsewhere.status).toBe(409);
    expect((await elsewhere.json()).error).toBe('Cette demande est traitée par un autre service.');

    const direct = await act(civil, 'answer', { body: 'Voici votre acte.' });
    expect(direct.status).toBe(409);
    expect((await direct.json()).error).toBe('Cette réponse doit être soumise à validation avant envoi.');

    const empty = await act(civil, 'submit', { body: '' });
    expect(empty.status).toBe(400);
    expect((await empty.json()).errors[0]).toEqual({ path: '/body', message: 'Rédigez la réponse (20 000 caractères au plus).' });

    expect((await act(civil, 'submit', { body: 'Voici votre acte.' })).status).toBe(200);
    const returned = await act(validator, 'return', { comment: 'Précisez le délai.' });
    expect(await returned.json()).toMatchObject({ state: 'in_progress' });
    expect((await act(civil, 'submit', { body: 'Voici votre acte, envoyé sous 3 jours.' })).status).toBe(200);
    const approved = await act(validator, 'approve');
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ state: 'answered' });

    const detail = await (await call(getRequest, { tenant: tenant.slug, reference }, { cookie: civil })).json();
    expect(detail.request.answer).toBe('Voici votre acte, envoyé sous 3 jours.');
    expect(detail.request.timeline.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['received', 'opened', 'submitted_for_validation', 'returned', 'approved', 'answered']),
    );
    expect(await auditCount('request.open', reference)).toBe(1);
    expect(await auditCount('request.submit', reference)).toBe(2);
    expect(await auditCount('request.answer', reference)).toBe(1);
    expect(await auditCount('request.note', reference)).toBe(1);
    expect(await auditCount('request.approve', reference)).toBe(1);
    expect(await auditCount('request.return', reference)).toBe(1);
  });

  it('answers 404 for an unknown action name', async () => {
    const cookie = await sessionFor(tenant.slug, tenant.mail('civil'), PASSWORD);
    expect((await call(action, { tenant: tenant.slug, reference, action: 'delete' }, { method: 'POST', cookie })).status).toBe(404);
  });
});

const ROLES = { agent: 'agent', validator: 'valideur', head: 'chef', admin: 'admin', dpo: 'dpo', treasurer: 'regie' } as const;
type Role = keyof typeof ROLES;
/** Which roles meet each requirement, written out rather than computed by the code under test. */
const ALLOWED: Record<Requirement, Role[]> = {
  agent: ['agent', 'validator', 'head', 'admin', 'dpo', 'treasurer'],
  validator: ['validator', 'head', 'admin'],
  head: ['head', 'admin'],
  admin: ['admin'],
  dpo: ['dpo', 'admin'],
  treasury: ['admin', 'treasurer'],
};

describe('the security matrix of the agent API', () => {
  let routes: AgentRoute[];
  let matrixReference: string;
  const cookies = new Map<string, string>();
  const cookieOf = async (tenantSlug: string, mail: (name: string) => string, role: Role) => {
    const key = `${tenantSlug}:${role}`;
    if (!cookies.has(key)) cookies.set(key, await sessionFor(tenantSlug, mail(ROLES[role]), PASSWORD));
    return cookies.get(key)!;
  };

  beforeAll(async () => {
    routes = await discoverAgentRoutes();
    // A request of its own: the matrix's notes and refused approvals must not disturb the workflow tests below.
    matrixReference = (await fileRequest(tenant.slug, { topic: 'acte', subject: 'Matrice', contact: { email: citizenEmail() } })).receipt.reference;
  });

  it('has an expectation for every route file and method under agent/, and none for a route that is gone', () => {
    expect(routes.length).toBeGreaterThan(15);
    expect(routes.filter((route) => !AGENT_ROUTE_EXPECTATIONS[route.key]).map((route) => route.key)).toEqual([]);
    const present = new Set(routes.map((route) => route.key));
    expect(Object.keys(AGENT_ROUTE_EXPECTATIONS).filter((key) => !present.has(key))).toEqual([]);
  });

  it('answers each role of each tenant as expected: 401 anonymous, 404 another tenant, 403 a missing role', async () => {
    const cells: string[] = [];
    const wrong: string[] = [];
    for (const route of routes) {
      const expectation = AGENT_ROUTE_EXPECTATIONS[route.key];
      if (!expectation) continue;
      for (const routeCase of expectation.cases) {
        const label = `${route.key}${routeCase.variant ? ` (${routeCase.variant})` : ''}`;
        const access = routeCase.access ?? expectation.access;
        const who: Array<{ name: string; cookie: () => Promise<string | undefined>; expected: number[]; session?: string }> = [{ name: 'anonymous', cookie: async () => undefined, expected: access === 'public' ? routeCase.ok : [401] }];
        for (const role of Object.keys(ROLES) as Role[]) {
          const allowed = access === 'public' || ALLOWED[access].includes(role);
          who.push({ name: `${role} of this tenant`, cookie: () => cookieOf(tenant.slug, tenant.mail, role), expected: allowed ? routeCase.ok : [403], session: `${tenant.slug}:${role}` });
          who.push({ name: `${role} of another tenant`, cookie: () => cookieOf(other.slug, other.mail, role), expected: access === 'public' ? routeCase.ok : [404] });
        }
        for (const caller of who) {
          const response = await call(route.handler, routeCase.params(tenant.slug, matrixReference), {
            method: route.method,
            body: routeCase.body,
            cookie: await caller.cookie(),
            path: `/api/v1/t/${tenant.slug}/agent${routeCase.search ?? ''}`,
          });
          await response.body?.cancel();
          cells.push(`${label} × ${caller.name}`);
          if (!caller.expected.includes(response.status)) wrong.push(`${route.method} ${label} × ${caller.name}: ${response.status}, expected ${caller.expected.join(' or ')}`);
          if (routeCase.endsSession && caller.session && response.status < 300) cookies.delete(caller.session);
        }
      }
    }
    expect(wrong).toEqual([]);
    // Per case: anonymous, then every role × this tenant and another one.
    const callers = 1 + 2 * Object.keys(ROLES).length;
    expect(cells.length).toBe(routes.reduce((n, route) => n + (AGENT_ROUTE_EXPECTATIONS[route.key]?.cases.length ?? 0), 0) * callers);
    console.log(`security matrix: ${cells.length} cells (${routes.length} route methods), all as expected`);
    // One call per route, case and role of two tenants: hundreds of calls, past the default minute on a loaded machine.
  }, 180_000);

  it('refuses state-changing requests from another origin with 403', async () => {
    const cookie = await sessionFor(tenant.slug, tenant.mail('admin'), PASSWORD);
    const unsafe = routes.filter((route) => !['GET', 'HEAD', 'OPTIONS'].includes(route.method));
    expect(unsafe.length).toBeGreaterThan(3);
    for (const route of unsafe) {
      const [routeCase] = AGENT_ROUTE_EXPECTATIONS[route.key]?.cases ?? [];
      if (!routeCase) continue;
      for (const headers of [{ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example', 'sec-fetch-site': '' }, { origin: '', 'sec-fetch-site': 'same-site' }]) {
        // An empty value removes the header: a browser that sends Origin alone, or Sec-Fetch-Site alone.
        const response = await call(route.handler, routeCase.params(tenant.slug, reference), { method: route.method, body: routeCase.body, cookie, headers });
        expect(response.status, `${route.method} ${route.key} ${JSON.stringify(headers)}`).toBe(403);
      }
    }
  });
});

// Last: it locks an account the matrix logs in with.
describe('agent login lockout', () => {
  it('locks the account after five failures, even for the right password', async () => {
    const email = tenant.mail('chef');
    for (let i = 0; i < 5; i += 1) {
      expect((await call(login, { tenant: tenant.slug }, { method: 'POST', body: { email, password: `faux-${i}` } })).status).toBe(401);
    }
    const locked = await call(login, { tenant: tenant.slug }, { method: 'POST', body: { email, password: PASSWORD } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    expect((await locked.json()).error).toMatch(/Trop de tentatives/);
  });
});
