import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAudit } from '@/domain/audit/log';
import { listAuditTrail, parseAuditFilters } from '@/domain/audit/trail';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { anonymiseRequests } from '@/domain/privacy/anonymise';
import { seedRequest, tenantIdOf, type SeededRequest } from '@/temporal/testing/privacy';
import { query } from '@/domain/sql';
import { InputError } from '@/domain/validation';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { call, sessionFor, setPassword } from '@/app/console/_server/testing';
import { POST as saveRetention } from '@/app/api/v1/t/[tenant]/agent/admin/retention/route';
import { POST as adminSave } from '@/app/api/v1/t/[tenant]/agent/admin/[resource]/route';
import { GET as dashboard } from '@/app/api/v1/t/[tenant]/agent/dashboard/route';
import { GET as agentAttachment } from '@/app/api/v1/t/[tenant]/agent/requests/[reference]/attachments/[id]/route';
import { GET as agentDocument } from '@/app/api/v1/t/[tenant]/agent/requests/[reference]/documents/[documentId]/route';
import { GET as caseApi } from '@/app/api/v1/t/[tenant]/agent/requests/[reference]/route';
import { DELETE as logout, POST as login } from '@/app/api/v1/t/[tenant]/agent/session/route';
import { GET as citizenDocument } from '@/app/api/v1/t/[tenant]/requests/[reference]/documents/[id]/route';
import { GET as citizenAttachment } from '@/app/t/[tenant]/suivi/[reference]/pieces/[id]/route';
import { GET } from './route';

const PASSWORD = 'mot-de-passe-de-test';
const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let other: Awaited<ReturnType<typeof createTestTenant>>;
let tenantId: string;
let admin: string;
let request: SeededRequest;
let files: { attachment: string; document: string };

const audit = async (cookie: string, query: Record<string, string> = {}) => {
  const search = new URLSearchParams(query).toString();
  return call(GET, { tenant: tenant.slug }, { cookie, path: `/api/v1/t/${tenant.slug}/agent/audit?${search}` });
};

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  tenantId = await tenantIdOf(await em(), tenant.slug);
  for (const who of ['admin', 'agent', 'civil']) await setPassword(tenant.slug, tenant.mail(who), PASSWORD);
  await setPassword(other.slug, other.mail('admin'), PASSWORD);
  request = await seedRequest(await em(), tenant.slug, tenantId, { state: 'closed', monthsAgo: 2 });
  const [attachment] = await query<{ id: string }>(await em(), 'select id from attachment where request_id = ?', [request.id]);
  const [document] = await query<{ id: string }>(await em(), 'select id from document where request_id = ?', [request.id]);
  files = { attachment: attachment.id, document: document.id };

  // What the trail must show: a failed and a successful login, a logout, a case opened, files downloaded by an agent and
  // by the citizen, an export, a settings change and an anonymisation.
  expect((await call(login, { tenant: tenant.slug }, { method: 'POST', body: { email: tenant.mail('agent'), password: 'pas-le-bon-mot-de-passe' } })).status).toBe(401);
  const agent = await sessionFor(tenant.slug, tenant.mail('agent'));
  const r = { tenant: tenant.slug, reference: request.reference };
  expect((await call(caseApi, r, { cookie: agent })).status).toBe(200);
  expect((await call(agentAttachment, { ...r, id: files.attachment }, { cookie: agent })).status).toBe(200);
  expect((await call(agentDocument, { ...r, documentId: files.document }, { cookie: agent })).status).toBe(200);
  expect((await call(logout, { tenant: tenant.slug }, { method: 'DELETE', cookie: agent })).status).toBe(204);
  const code = encodeURIComponent(request.trackingCode);
  expect((await call(citizenDocument, { ...r, id: files.document }, { path: `/api/v1/t/${tenant.slug}/requests/${request.reference}/documents/${files.document}?code=${code}` })).status).toBe(200);
  expect((await call(citizenAttachment, { ...r, id: files.attachment }, { path: `/t/${tenant.slug}/suivi/${request.reference}/pieces/${files.attachment}?code=${code}` })).status).toBe(200);
  admin = await sessionFor(tenant.slug, tenant.mail('admin'));
  expect((await call(dashboard, { tenant: tenant.slug }, { cookie: admin, path: `/api/v1/t/${tenant.slug}/agent/dashboard?format=csv` })).status).toBe(200);
  expect((await call(saveRetention, { tenant: tenant.slug }, { method: 'POST', cookie: admin, body: { requestsMonths: 30, documentsMonths: 12, messageLogsMonths: 12, auditYears: 5 } })).status).toBe(200);
  const adminId = (await query<{ id: string }>(await em(), 'select id from agent where email = ?', [tenant.mail('admin')]))[0].id;
  await anonymiseRequests(await em(), tenantId, [request.id], { reason: 'Demande d’effacement', agentId: adminId });
});
afterAll(() => closeAllORMs());

describe('audit trail API', () => {
  it('shows every audited kind of event with its French label', async () => {
    const response = await audit(admin);
    expect(response.status).toBe(200);
    const { rows } = await response.json();
    const seen = (action: string, outcome = 'ok') => rows.filter((x: { action: string; outcome: string }) => x.action === action && x.outcome === outcome);
    expect(seen('auth.login', 'refused')[0]).toMatchObject({ actionLabel: 'Connexion', outcomeLabel: 'Échec de connexion', target: tenant.mail('agent'), agent: null });
    expect(seen('auth.login').length).toBeGreaterThanOrEqual(2);
    expect(seen('auth.logout')[0]).toMatchObject({ actionLabel: 'Déconnexion', agent: 'Agent Accueil' });
    expect(seen('request.view')[0]).toMatchObject({ actionLabel: 'Consultation d’une demande', target: request.reference, data: { via: 'api' } });
    const downloads = [...seen('request.attachment.download'), ...seen('request.document.download')];
    expect(downloads.map((d) => `${d.action}:${d.data.by}`).sort()).toEqual([
      'request.attachment.download:agent', 'request.attachment.download:citizen', 'request.document.download:agent', 'request.document.download:citizen',
    ]);
    expect(seen('dashboard.export')[0].actionLabel).toBe('Export CSV du tableau de bord');
    expect(seen('admin.settings.retention')[0]).toMatchObject({ actionLabel: 'Durées de conservation modifiées', agent: 'Admin' });
    expect(seen('privacy.anonymise')[0]).toMatchObject({ actionLabel: 'Anonymisation de demandes', target: request.reference, agent: 'Admin' });
  });

  it('filters by agent, action, request and period, and pages by keyset without gaps or repeats', async () => {
    const adminId = (await query<{ id: string }>(await em(), 'select id from agent where email = ?', [tenant.mail('admin')]))[0].id;
    const mine = (await (await audit(admin, { agent: adminId })).json()).rows;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((x: { agent: string }) => x.agent === 'Admin')).toBe(true);
    const system = (await (await audit(admin, { agent: 'systeme' })).json()).rows;
    expect(system.every((x: { agent: string | null }) => x.agent === null)).toBe(true);
    const views = (await (await audit(admin, { action: 'request.view' })).json()).rows;
    expect(views.map((x: { action: string }) => x.action)).toEqual(['request.view']);
    const about = (await (await audit(admin, { demande: request.reference })).json()).rows.map((x: { action: string }) => x.action);
    expect(new Set(about)).toEqual(new Set(['request.view', 'request.attachment.download', 'request.document.download', 'privacy.anonymise']));
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    expect((await (await audit(admin, { du: tomorrow })).json()).rows).toEqual([]);
    expect((await (await audit(admin, { au: '2020-01-01' })).json()).rows).toEqual([]);
    expect((await (await audit(admin, { du: '2020-01-01', au: tomorrow })).json()).rows.length).toBeGreaterThan(5);

    const all = await listAuditTrail(await em(), tenantId, {}, 1000);
    const walked: string[] = [];
    let after: string | undefined;
    do {
      const page = await listAuditTrail(await em(), tenantId, parseAuditFilters({ ...(after ? { apres: after } : {}) }), 3);
      walked.push(...page.rows.map((x) => x.id));
      after = page.next;
    } while (after);
    expect(walked).toEqual(all.rows.map((x) => x.id));
    expect(new Set(walked).size).toBe(walked.length);
  });

  it('exports the filtered entries as CSV, audits the export, and writes formulas as text', async () => {
    await writeAudit(await em(), { tenantId, action: 'auth.login', target: '=HYPERLINK("http://exemple.test")', outcome: 'refused' });
    const response = await audit(admin, { action: 'auth.login', format: 'csv' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="journal-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const csv = await response.text();
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('date;agent;adresse de l’agent;action;code de l’action;cible;résultat;détails');
    expect(lines.slice(1).every((l) => l.includes(';Connexion;auth.login;'))).toBe(true);
    expect(csv).toContain(`'=HYPERLINK`);
    expect(csv).toContain('Échec de connexion');
    const [exported] = (await (await audit(admin, { action: 'audit.export' })).json()).rows;
    expect(exported).toMatchObject({ actionLabel: 'Export CSV du journal d’audit', agent: 'Admin', data: { filters: { action: 'auth.login' }, rows: lines.length - 1 } });
  });

  it('refuses bad filters with French field errors', async () => {
    const response = await audit(admin, { agent: 'x', action: 'drop table', du: '2026-13-45', demande: "R'; --", apres: 'n' });
    expect(response.status).toBe(400);
    const paths = (await response.json()).errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['/action', '/agent', '/apres', '/demande', '/du']);
    expect(() => parseAuditFilters({ du: '2026-02-01', au: '2026-01-01' })).toThrow(InputError);
    // Days JavaScript would roll over (30 February) and years PostgreSQL refuses are field errors, not database errors.
    for (const du of ['2026-02-30', '0000-01-01', '2026-13-01']) {
      const refused = await audit(admin, { du });
      expect(refused.status, du).toBe(400);
    }
    for (const apres of ['2026-99-99T99:99:99.000000Z|00000000-0000-4000-8000-000000000000', '2026-01-01T00:00:00.000000Z|------------------------------------']) {
      expect((await audit(admin, { apres })).status, apres).toBe(400);
    }
  });

  it('answers any query string with 200 or a 400 with field errors, never a 5xx', async () => {
    const cursor = fc.tuple(fc.date({ noInvalidDate: true }), fc.uuid()).map(([d, id]) => `${d.toISOString().replace('Z', '000Z')}|${id}`);
    const value = fc.oneof(fc.string(), cursor, fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), fc.constantFrom('2026-02-29', '2026-04-31', 'systeme', '2026-01-01', '2026-02-30', 'request.view', '2026-01-01T00:00:00.000000Z|00000000-0000-4000-8000-000000000000'));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('agent', 'action', 'du', 'au', 'demande', 'apres', 'format'), value), async (params) => {
        const response = await audit(admin, params);
        expect([200, 400], JSON.stringify(params)).toContain(response.status);
        if (response.status === 400) expect((await response.json()).errors.length).toBeGreaterThan(0);
        else await response.arrayBuffer();
      }),
      { numRuns: 200 },
    );
  });

  it('is for administrators and the data protection officer of the tenant only', async () => {
    const agent = await sessionFor(tenant.slug, tenant.mail('agent'));
    expect((await audit(agent)).status).toBe(403);
    expect((await audit(agent, { format: 'csv' })).status).toBe(403);
    expect((await audit('')).status).toBe(401);
    const otherAdmin = await sessionFor(other.slug, other.mail('admin'));
    expect((await audit(otherAdmin)).status).toBe(404);
    await query(await em(), 'update agent set is_dpo = true where email = ?', [tenant.mail('civil')]);
    const dpo = await sessionFor(tenant.slug, tenant.mail('civil'));
    expect((await audit(dpo)).status).toBe(200);
  });

  it('records a role change with the roles before and after', async () => {
    const body = { email: tenant.mail('civil'), name: 'Agent État civil', roles: 'etat-civil:agent, etat-civil:validator', isAdmin: false, active: true };
    expect((await call(adminSave, { tenant: tenant.slug, resource: 'agents' }, { method: 'POST', cookie: admin, body })).status).toBe(200);
    const [change] = (await (await audit(admin, { action: 'admin.agent.update' })).json()).rows;
    expect(change).toMatchObject({ actionLabel: 'Agent ou rôles modifiés', target: tenant.mail('civil'), agent: 'Admin' });
    expect(change.data.before.roles).toEqual([{ department: 'etat-civil', role: 'agent' }]);
    expect(change.data.after.roles).toEqual([
      { department: 'etat-civil', role: 'agent' },
      { department: 'etat-civil', role: 'validator' },
    ]);
  });
});
