import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { InputError } from '@/domain/validation';
import { filledTemplates, type RequestDetail } from '@/domain/inbox/detail';
import { runRelais, writeTenantFile } from '@/temporal/testing/cli';
import { importTenant, validateTenantConfig, type TenantConfig } from './import';

afterAll(() => closeAllORMs());

const demo = JSON.parse(fs.readFileSync(path.join('domain', 'tenant-config', 'demo-tenant.json'), 'utf8')) as TenantConfig;

function errorsOf(config: unknown) {
  try {
    validateTenantConfig(config);
  } catch (error) {
    if (error instanceof InputError) return error.errors;
    throw error;
  }
  return [];
}

describe('tenant configuration', () => {
  it('accepts the demo tenant file', () => {
    expect(errorsOf(demo)).toEqual([]);
  });

  it('names the path of each mistake, in French', () => {
    const broken = structuredClone(demo);
    broken.topics[1].department = 'inconnu';
    broken.topics[2].delay = 'P0D';
    broken.departments.push({ ...broken.departments[0] });
    broken.agents![0].roles = [{ department: 'nulle-part', role: 'agent' }];
    const errors = errorsOf(broken);
    expect(errors).toContainEqual({ path: '/topics/1/department', message: 'Service inconnu « inconnu » : déclarez-le dans departments.' });
    expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining(['/topics/2/delay', `/departments/${demo.departments.length}/slug`, '/agents/0/roles/0/department']));

    const centralised = { ...structuredClone(demo), settings: { organisation: 'centralised' } };
    expect(errorsOf(centralised).map((e) => e.path)).toContain('/settings/receptionDepartment');
    expect(errorsOf({ ...structuredClone(demo), slug: 'Pas Bon' }).map((e) => e.path)).toContain('/slug');
    expect(errorsOf({ ...structuredClone(demo), unexpected: true }).map((e) => e.path)).toContain('/unexpected');
  });

  it('refuses inbound e-mail settings naming an unknown topic or an address of the inbound domain, at their paths', () => {
    const domain = env().INBOUND_MAIL_DOMAIN;
    const broken = structuredClone(demo);
    broken.settings.mail = {
      addresses: ['mairie@ville-demo.fr', `accueil@${domain.toUpperCase()}`, `etat-civil.demo@${domain}`],
      defaultTopic: 'inexistant',
      keywordRules: [{ keywords: ['école'], topic: demo.topics[0].slug }, { keywords: ['voirie'], topic: 'voirie-fantome' }],
    };
    const errors = errorsOf(broken);
    expect(errors).toContainEqual({ path: '/settings/mail/defaultTopic', message: 'Thème inconnu « inexistant » : déclarez-le dans topics.' });
    expect(errors).toContainEqual({ path: '/settings/mail/keywordRules/1/topic', message: 'Thème inconnu « voirie-fantome » : déclarez-le dans topics.' });
    expect(errors.map((e) => e.path)).not.toContain('/settings/mail/keywordRules/0/topic');
    expect(errors.filter((e) => e.path.startsWith('/settings/mail/addresses/')).map((e) => e.path)).toEqual(['/settings/mail/addresses/1', '/settings/mail/addresses/2']);
    expect(errors.find((e) => e.path === '/settings/mail/addresses/1')!.message).toMatch(new RegExp(`^« accueil@${domain.toUpperCase()} » est une adresse de Relais`));
    // A sibling domain is the municipality's, not Relais's.
    expect(errorsOf({ ...structuredClone(demo), settings: { ...demo.settings, mail: { addresses: [`mairie@autre-${domain}`] } } })).toEqual([]);
  });

  it('refuses any topic slug the file does not declare, wherever the mail settings name it', () => {
    const known = new Set(demo.topics.map((t) => t.slug));
    const slug = fc.stringMatching(/^[a-z0-9-]{1,63}$/).filter((s) => !known.has(s));
    fc.assert(
      fc.property(slug, fc.nat({ max: 3 }), (topic, position) => {
        const rules = Array.from({ length: 4 }, () => ({ keywords: ['mot'], topic: demo.topics[0].slug }));
        rules[position] = { keywords: ['mot'], topic };
        const errors = errorsOf({ ...structuredClone(demo), settings: { ...demo.settings, mail: { defaultTopic: topic, keywordRules: rules } } });
        expect(errors).toEqual([
          { path: '/settings/mail/defaultTopic', message: `Thème inconnu « ${topic} » : déclarez-le dans topics.` },
          { path: `/settings/mail/keywordRules/${position}/topic`, message: `Thème inconnu « ${topic} » : déclarez-le dans topics.` },
        ]);
      }),
      { numRuns: 100 },
    );
  });

  it("refuses an address another tenant declared already, naming it, and writes nothing", async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const stamp = Date.now();
    const [first, second] = [`adresse-a-${stamp}`, `adresse-b-${stamp}`];
    const shared = `mairie@${first}.fr`;
    const withAddresses = (slug: string, addresses: string[]): TenantConfig => ({
      ...structuredClone(demo), slug, hostnames: [], agents: [], settings: { ...demo.settings, mail: { ...demo.settings.mail, addresses } },
    });
    await importTenant(orm, withAddresses(first, [shared]));
    // Its own address again is no conflict.
    await importTenant(orm, withAddresses(first, [shared, `accueil@${first}.fr`]));

    const error = await importTenant(orm, withAddresses(second, [`contact@${second}.fr`, shared.toUpperCase()])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).errors).toEqual([
      { path: '/settings/mail/addresses/1', message: `L'adresse « ${shared.toUpperCase()} » est déjà déclarée par la commune « ${first} » : une adresse ne peut mener qu'à une commune.` },
    ]);
    expect(await query(orm.em.fork(), 'select 1 from tenant where slug = ?', [second])).toEqual([]);
    // Once the first tenant gives it up, the second may declare it.
    await importTenant(orm, withAddresses(first, [`accueil@${first}.fr`]));
    await importTenant(orm, withAddresses(second, [shared]));
  });

  it('imports idempotently: a second import changes nothing', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const slug = `import-${Date.now()}`;
    // The demo tenant has the file's own address already: a copy declares one of its own.
    const config = { ...structuredClone(demo), slug, hostnames: [], settings: { ...demo.settings, mail: { ...demo.settings.mail, addresses: [`mairie@${slug}.fr`] } } };
    const first = await importTenant(orm, config);
    const snapshot = async () =>
      query(
        orm.em.fork(),
        `select (select count(*) from department where tenant_id = t.id)::int as departments,
                (select count(*) from topic where tenant_id = t.id)::int as topics,
                (select count(*) from agent where tenant_id = t.id)::int as agents,
                (select count(*) from agent_role ar join agent a on a.id = ar.agent_id where a.tenant_id = t.id)::int as roles,
                (select string_agg(password_hash, ',' order by email) from agent where tenant_id = t.id) as hashes
           from tenant t where t.slug = ?`,
        [config.slug],
      );
    const before = await snapshot();
    const second = await importTenant(orm, config);
    expect(second).toEqual(first);
    expect(await snapshot()).toEqual(before);
    expect(before[0]).toMatchObject({ departments: 5, topics: demo.topics.length, agents: 10, roles: 11 });
    // The data protection officer is declared in the file: a tenant-wide flag, no department role.
    const dpo = await orm.em.fork().getConnection().execute(
      `select a.is_dpo, a.is_admin from agent a join tenant t on t.id = a.tenant_id where t.slug = ? and a.is_dpo`,
      [config.slug],
    );
    expect(dpo).toEqual([{ is_dpo: true, is_admin: false }]);
  });

  it('ships two to four answer templates per demo department; a case offers its own department\'s and the general ones', async () => {
    const perDepartment: Record<string, Array<{ slug: string }>> = {};
    for (const t of demo.answerTemplates!) (perDepartment[t.department ?? ''] ??= []).push(t);
    for (const d of demo.departments) expect(perDepartment[d.slug]?.length ?? 0, d.slug).toBeGreaterThanOrEqual(2);
    for (const d of demo.departments) expect(perDepartment[d.slug]!.length, d.slug).toBeLessThanOrEqual(4);
    expect(perDepartment['']?.map((t) => t.slug)).toEqual(['horaires-mairie']);

    const orm = await initORM(env().DATABASE_URL!);
    const slug = `modeles-${Date.now()}`;
    const config = { ...structuredClone(demo), slug, hostnames: [], settings: { ...demo.settings, mail: { ...demo.settings.mail, addresses: [`mairie@${slug}.fr`] } } };
    const { tenantId } = await importTenant(orm, config);
    const [urbanisme] = await query<{ id: string }>(orm.em.fork(), "select id from department where tenant_id = ? and slug = 'urbanisme'", [tenantId]);
    const detail = {
      reference: '2026-000042', subject: 'Abri de jardin', citizen: { name: 'Jeanne Dupont' }, topic: { label: 'Urbanisme et travaux' },
      department: { id: urbanisme.id, slug: 'urbanisme', name: 'Urbanisme' }, dueAt: '2026-12-20T16:00:00Z', receivedAt: '2026-12-01T09:00:00Z',
      timeZone: 'Europe/Paris', tenantName: 'Ville de Démo',
    } as unknown as RequestDetail;
    const offered = await filledTemplates(orm.em.fork(), tenantId, detail, 'Émilie Urba');
    expect(offered.map((t) => t.slug).sort()).toEqual([...perDepartment.urbanisme!.map((t) => t.slug), 'horaires-mairie'].sort());
    for (const t of offered) {
      expect(t.body, t.slug).not.toContain('{{');
      expect(t.body, t.slug).toMatch(/^Bonjour/);
    }
    expect(offered.find((t) => t.slug === 'urbanisme-delais-instruction')!.body).toMatch(/^Bonjour Jeanne Dupont,\n[\s\S]*Émilie Urba\nService Urbanisme — Ville de Démo$/);
  });

  it('rejects a bad file from the command line with the path and a non-zero exit, writing nothing', () => {
    const file = writeTenantFile({ ...demo, slug: 'cli-test', topics: [{ ...demo.topics[0], department: 'zz' }] });
    const result = runRelais(['tenant:import', file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('/topics/0/department: Service inconnu « zz »');
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
    fs.writeFileSync(file, '{ pas du json');
    const garbage = runRelais(['tenant:validate', file]);
    expect(garbage.status).toBe(1);
    expect(garbage.stderr).toContain('Not valid JSON');
  });
});
