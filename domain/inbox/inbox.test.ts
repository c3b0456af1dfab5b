import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { actorFor, createTestTenant, fileRequest, testClient } from '@/temporal/testing/fixtures';
import { citizenEmail } from '@/temporal/testing/helpers';
import { departmentStats, statsToCsv } from '@/domain/dashboard/department-stats';
import { parseRange } from '@/domain/dashboard/range';
import { InputError } from '@/domain/validation';
import { performRequestAction } from './actions';
import { temporalRequestCommands } from '@/temporal/request-commands';
import { similarAnswered, getRequestDetail, filledTemplates } from './detail';
import { countByState, listInbox } from './list';
import { filtersToQuery, inboxDefaults, parseInboxFilters } from './filters';

let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let tenantId: string;
const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
const refs: string[] = [];

beforeAll(async () => {
  tenant = await createTestTenant();
  tenantId = (await (await em()).getConnection().execute('select id from tenant where slug = ?', [tenant.slug]))[0].id;
  const subjects = ['Horaires de la déchetterie', 'Acte de naissance pour mon fils', 'Éclairage public en panne rue Victor Hugo', 'Déchetterie fermée samedi', 'Inscription à la cantine'];
  for (const subject of subjects) refs.push((await fileRequest(tenant.slug, { subject, message: `${subject}. Merci de votre réponse.`, contact: { email: citizenEmail(), name: 'Jeanne Dupont' } })).receipt.reference);
  const actor = await actorFor(tenant.slug, tenant.mail('agent'));
  await performRequestAction({ em: await em(), requests: temporalRequestCommands(await testClient()) }, { tenantId, actor, reference: refs[0] }, 'answer', { body: 'La déchetterie est ouverte de 9 h à 18 h.' });
});
afterAll(() => closeAllORMs());

const viewer = () => ({ tenantId, departmentIds: [] as string[] });

describe('inbox', () => {
  it('pages by keyset without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await listInbox(await em(), viewer(), parseInboxFilters({ etat: 'all', limite: '2', ...(after ? { apres: after } : {}) }));
      seen.push(...page.rows.map((r) => r.reference));
      after = page.next;
    } while (after);
    expect(seen).toEqual([...refs].reverse());
  });

  it('finds requests by French full-text search, accents ignored, and by reference', async () => {
    const page = await listInbox(await em(), viewer(), parseInboxFilters({ etat: 'all', q: 'dechetteries' }));
    expect(page.rows.map((r) => r.reference).sort()).toEqual([refs[0], refs[3]].sort());
    const eclairage = await listInbox(await em(), viewer(), parseInboxFilters({ etat: 'all', q: 'eclairage' }));
    expect(eclairage.rows.map((r) => r.reference)).toEqual([refs[2]]);
    // A window of two rows forces the fallback through the full-text index; the answer must not change.
    const fallback = await listInbox(await em(), viewer(), parseInboxFilters({ etat: 'all', q: 'dechetteries' }), new Date(), 2);
    expect(fallback.rows.map((r) => r.reference).sort()).toEqual([refs[0], refs[3]].sort());
    const paged = await listInbox(await em(), viewer(), parseInboxFilters({ etat: 'all', q: 'dechetterie', limite: '1' }), new Date(), 2);
    const second = await listInbox(await em(), viewer(), parseInboxFilters({ etat: 'all', q: 'dechetterie', limite: '1', apres: paged.next! }), new Date(), 2);
    expect([...paged.rows, ...second.rows].map((r) => r.reference)).toEqual([refs[3], refs[0]]);
    expect(second.next).toBeUndefined();
    const byRef = await listInbox(await em(), viewer(), parseInboxFilters({ etat: 'all', q: refs[1] }));
    expect(byRef.rows.map((r) => r.reference)).toEqual([refs[1]]);
  });

  it('filters by state and counts per state', async () => {
    const open = await listInbox(await em(), viewer(), parseInboxFilters({}));
    expect(open.rows.map((r) => r.reference)).not.toContain(refs[0]);
    const counts = await countByState(await em(), viewer(), parseInboxFilters({}));
    expect(counts.answered).toBe(1);
    expect(counts.open).toBe(4);
    expect(counts.received).toBe(4);
  });

  it("shows an agent their own departments' open requests by default, widened in one step", async () => {
    const departments = await (await em()).getConnection().execute<Array<{ id: string; slug: string }>>('select id, slug from department where tenant_id = ?', [tenantId]);
    const idOf = (slug: string) => departments.find((d) => d.slug === slug)!.id;
    const civil = { isAdmin: false, departmentIds: [idOf('etat-civil')] };
    const accueil = { isAdmin: false, departmentIds: [idOf('accueil')] };
    expect(inboxDefaults(civil)).toEqual({ mine: true });
    expect(inboxDefaults({ isAdmin: true, departmentIds: [idOf('accueil')] })).toEqual({ mine: false });
    expect(inboxDefaults({ isAdmin: false, departmentIds: [] })).toEqual({ mine: false });

    const refsOf = async (who: typeof civil, params: Record<string, string> = {}) =>
      (await listInbox(await em(), { tenantId, departmentIds: who.departmentIds }, parseInboxFilters(params, inboxDefaults(who)))).rows.map((r) => r.reference);
    // Every request of this tenant went to Accueil, one of them answered.
    expect(await refsOf(civil)).toEqual([]);
    expect(await refsOf(accueil)).toEqual([refs[4], refs[3], refs[2], refs[1]]);
    expect(await refsOf(civil, { mes: '0' })).toEqual([refs[4], refs[3], refs[2], refs[1]]);
    expect(await refsOf(accueil, { etat: 'all' })).toEqual([...refs].reverse());
    // A department chosen by name is the scope, even against `mes=1` (the console's form always sends its scope).
    expect(await refsOf(civil, { service: 'accueil', mes: '1' })).toHaveLength(4);
    const counts = await countByState(await em(), { tenantId, departmentIds: civil.departmentIds }, parseInboxFilters({}, inboxDefaults(civil)));
    expect(counts.open).toBe(0);

    expect(filtersToQuery(parseInboxFilters({}, { mine: true }), { mine: true })).toBe('');
    expect(filtersToQuery({ ...parseInboxFilters({}, { mine: true }), mine: false }, { mine: true })).toBe('?mes=0');
    expect(filtersToQuery({ ...parseInboxFilters({}), state: 'all', mine: true })).toBe('?etat=all&mes=1');
    expect(() => parseInboxFilters({ mes: 'oui' })).toThrow(InputError);
  });

  it('refuses bad filters with French messages', () => {
    expect(() => parseInboxFilters({ etat: 'perdu', tri: 'x', apres: 'zzz', limite: '9999' })).toThrow(InputError);
    try {
      parseInboxFilters({ etat: 'perdu' });
    } catch (error) {
      expect((error as InputError).errors).toEqual([{ path: '/etat', message: 'État inconnu.' }]);
    }
  });

  it('ranks similar answered requests and fills templates', async () => {
    const detail = await getRequestDetail(await em(), tenantId, refs[3]);
    const similar = await similarAnswered(await em(), tenantId, detail.id);
    expect(similar.map((s) => s.reference)).toEqual([refs[0]]);
    expect(similar[0].answer).toBe('La déchetterie est ouverte de 9 h à 18 h.');
    await (await em()).getConnection().execute(
      "insert into answer_template (id, tenant_id, slug, title, body) values (gen_random_uuid(), ?, 'bonjour', 'Bonjour', 'Bonjour {{citizenName}}, votre demande {{reference}} — {{agentName}}')",
      [tenantId],
    );
    const [template] = await filledTemplates(await em(), tenantId, detail, 'Agent Test');
    expect(template.body).toBe(`Bonjour Jeanne Dupont, votre demande ${refs[3]} — Agent Test`);
  });
});

describe('dashboard', () => {
  it('counts received, answered, open and on-time answers per department', async () => {
    const range = parseRange({});
    const stats = await departmentStats(await em(), tenantId, range);
    const accueil = stats.find((s) => s.slug === 'accueil')!;
    expect(accueil).toMatchObject({ received: 5, answered: 1, open: 4, overdueNow: 0, onTimeShare: 1 });
    expect(accueil.medianHours).not.toBeNull();
    expect(statsToCsv(stats, range)).toContain('Accueil;5;1;4;0;');
    expect(() => parseRange({ du: '2026-02-30x' })).toThrow(InputError);
  });
});
