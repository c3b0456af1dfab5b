import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { ensureShippedForms } from '@/domain/forms/store';
import { latestProcess } from '@/domain/processes/store';
import type { ProcessDefinition, ValidateStep } from '@/domain/processes/definition';
import { query } from '@/domain/sql';
import { importTenant, type TenantConfig } from '@/domain/tenant-config/import';
import { ConflictError, InputError, NotFoundError } from '@/domain/validation';
import { SHIPPED_PROCESSES } from '@/processes/shipped';
import { applySettings, listProcesses, previewProcess, processExport, processVersion, publishProcess, settingsOf, type ProcessSettings } from './processes';

let orm: MikroORM;
const demo = JSON.parse(fs.readFileSync(path.join('domain', 'tenant-config', 'demo-tenant.json'), 'utf8')) as TenantConfig;
const question = SHIPPED_PROCESSES.find((p) => p.slug === 'question')!;
type Commune = { tenantId: string; agentId: string; slug: string };
let commune: Commune;
let other: Commune;

async function newCommune(name: string): Promise<Commune> {
  const slug = `${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  await importTenant(orm, {
    ...structuredClone(demo),
    slug,
    hostnames: [],
    agents: [{ email: `admin@${slug}.fr`, name: 'Alice Administratrice', password: 'un-mot-de-passe-long', isAdmin: true, roles: [] }],
    settings: { ...demo.settings, mail: { ...demo.settings.mail, addresses: [`mairie@${slug}.fr`] } },
  });
  const [row] = await query<{ tenant_id: string; agent_id: string }>(
    orm.em.fork(),
    'select t.id as tenant_id, a.id as agent_id from tenant t join agent a on a.tenant_id = t.id where t.slug = ?',
    [slug],
  );
  return { tenantId: row.tenant_id, agentId: row.agent_id, slug };
}

const em = () => orm.em.fork();
const ctx = (c: Commune) => ({ tenantId: c.tenantId, agentId: c.agentId });
const errorsOf = async (work: Promise<unknown>) => {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).errors;
};
const settings = (definition: ProcessDefinition, update: (s: ProcessSettings) => void = () => {}) => {
  const s = settingsOf(definition);
  update(s);
  return s;
};

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  await ensureShippedForms(orm);
  [commune, other] = await Promise.all([newCommune('designer'), newCommune('voisine')]);
});
afterAll(() => closeAllORMs());

describe('applying the designer’s settings to a definition', () => {
  it('changes the guaranteed delay, a step’s delay and reminders, validators, departments and templates, and nothing else', () => {
    const { definition } = applySettings(
      question,
      settings(question, (s) => {
        s.guaranteedDelay = { delay: 'P10D', businessDays: true };
        s.escalation = '50:department, 100:head';
        const repondre = s.steps!.findIndex((x) => x.id === 'repondre');
        s.steps![repondre].delay = { delay: 'P3D', businessDays: true };
        s.steps![repondre].escalation = '66:department, 100:head';
        const valider = s.steps!.findIndex((x) => x.id === 'valider');
        s.steps![valider].levels = [{ role: 'administrator', validators: [' maire@ville-demo.fr ', ''] }];
        s.steps!.find((x) => x.id === 'attribuer')!.department = 'etat-civil';
        s.steps!.find((x) => x.id === 'envoyer-reponse')!.template = 'state_changed';
      }),
    );
    expect(definition.guaranteedDelay).toEqual({ delay: 'P10D', businessDays: true });
    expect(definition.escalation).toEqual([
      { percent: 50, recipients: ['department'] },
      { percent: 100, recipients: ['head'] },
    ]);
    const step = (id: string) => definition.steps.find((s) => s.id === id)!;
    expect(step('repondre').delay).toEqual({ delay: 'P3D', businessDays: true });
    expect(step('repondre').escalation).toHaveLength(2);
    expect((step('valider') as ValidateStep).levels).toEqual([{ label: 'Validation par un valideur du service', role: 'administrator', validators: ['maire@ville-demo.fr'] }]);
    expect(step('attribuer')).toMatchObject({ department: 'etat-civil' });
    expect(step('envoyer-reponse')).toMatchObject({ template: 'state_changed' });
    // Labels, successors, the other steps: untouched; the shipped definition itself too.
    expect(definition.steps.map((s) => [s.id, s.label, s.kind])).toEqual(question.steps.map((s) => [s.id, s.label, s.kind]));
    expect(question.guaranteedDelay).toEqual({ delay: 'P8D', businessDays: false });
    expect(step('accuser-reception')).toEqual(question.steps[0]);
  });

  it('round-trips: the settings of a definition change nothing', () => {
    for (const process of SHIPPED_PROCESSES) {
      const { $schema: _schema, ...content } = process;
      expect(applySettings(process, settingsOf(process)).definition).toEqual(content);
    }
  });

  it('refuses a setting the step’s kind does not have, an unknown step and a wrong cascade, with the paths', () => {
    const body = settings(question, (s) => {
      s.steps![0].department = 'accueil';
      s.steps![1].id = 'ailleurs';
      s.steps![2].escalation = '66:personne';
    });
    const error = (() => {
      try {
        applySettings(question, body);
      } catch (e) {
        return e as InputError;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect(error!.errors.map((e) => e.path)).toEqual(['/steps/0/department', '/steps/1/id', '/steps/2/escalation']);
    expect(error!.errors[0].message).toMatch(/ne s’applique pas à une étape de type « Accusé de réception »/);
  });
});

describe('the designer’s service', () => {
  it('lists the shipped processes with their versions and what names them, never another tenant’s', async () => {
    const list = await listProcesses(em(), commune.tenantId);
    expect(list.map((p) => p.slug).sort()).toEqual(expect.arrayContaining(SHIPPED_PROCESSES.map((p) => p.slug)));
    const acte = list.find((p) => p.slug === 'acte-etat-civil')!;
    expect(acte.forms.map((f) => f.slug).sort()).toEqual(['acte-deces', 'acte-mariage', 'acte-naissance']);
    expect(acte.topics.map((t) => t.slug).sort()).toEqual(['acte-deces', 'acte-mariage', 'acte-naissance']);
    const entry = list.find((p) => p.slug === 'question')!;
    expect(entry.current.scope).toBe('produit');
    expect(entry.versions[0]).toMatchObject({ scope: 'produit', author: null });
    expect(entry.versions[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses bad settings with French errors at the definition’s paths against the tenant’s names, and writes nothing', async () => {
    const before = await query(em(), 'select count(*)::int as n from process_definition', []);
    const errors = await errorsOf(
      publishProcess(
        em(),
        ctx(commune),
        'question',
        settings(question, (s) => {
          s.guaranteedDelay.delay = 'huit jours';
          s.steps!.find((x) => x.id === 'attribuer')!.department = 'service-inconnu';
          s.steps!.find((x) => x.id === 'envoyer-reponse')!.template = 'modele-inconnu';
          s.steps!.find((x) => x.id === 'repondre')!.escalation = '66:department';
        }),
      ),
    );
    const paths = errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/guaranteedDelay/delay', '/steps/1/department', '/steps/4/template', '/steps/2/escalation']));
    for (const e of errors) expect(e.message).toMatch(/[éèàùç]|[A-Z][a-z]+ /);
    expect(errors.find((e) => e.path === '/steps/1/department')!.message).toContain('service-inconnu');
    expect(await query(em(), 'select count(*)::int as n from process_definition', [])).toEqual(before);
    expect((await latestProcess(em(), commune.tenantId, 'question'))!.tenantId).toBeNull();
  });

  it('previews the guaranteed date of a request filed now in the tenant’s calendar, without writing', async () => {
    // Friday 5 December 2025, 10:00 in Paris; 10 business days later: Friday 19 December.
    const preview = await previewProcess(
      em(),
      commune.tenantId,
      'question',
      settings(question, (s) => (s.guaranteedDelay = { delay: 'P10D', businessDays: true })),
      new Date('2025-12-05T09:00:00Z'),
    );
    expect(preview.dueAt).toBe('2025-12-19T09:00:00.000Z');
    expect(preview.dueAtText).toContain('19 décembre 2025');
    expect(preview.guaranteedDelay).toBe('10 jours ouvrés');
    expect(preview.unchanged).toBe(false);
    expect(preview.svg).toContain('<svg');
    expect((await previewProcess(em(), commune.tenantId, 'question', settings(question))).unchanged).toBe(true);
    expect((await latestProcess(em(), commune.tenantId, 'question'))!.tenantId).toBeNull();
  });

  it('publishes a tenant-owned copy as version n+1, audited; unchanged content makes no version; the neighbour keeps the shipped one', async () => {
    const shipped = (await latestProcess(em(), commune.tenantId, 'question'))!;
    const unchanged = await publishProcess(em(), ctx(commune), 'question', settings(question));
    expect(unchanged).toMatchObject({ created: false, version: shipped.version });
    expect(unchanged.message).toMatch(/aucune nouvelle version/);

    const body = settings(question, (s) => {
      s.baseVersion = shipped.version;
      s.guaranteedDelay = { delay: 'P10D', businessDays: true };
    });
    const published = await publishProcess(em(), ctx(commune), 'question', body);
    const [{ max }] = await query<{ max: number }>(em(), "select max(version) as max from process_definition where slug = 'question'", []);
    expect(published).toMatchObject({ created: true, version: max, previousVersion: shipped.version });
    expect(published.version).toBeGreaterThan(shipped.version);
    const mine = (await latestProcess(em(), commune.tenantId, 'question'))!;
    expect(mine).toMatchObject({ tenantId: commune.tenantId, version: published.version, createdBy: commune.agentId });
    expect(mine.definition.guaranteedDelay).toEqual({ delay: 'P10D', businessDays: true });

    const [audit] = await query<{ target: string; data: { before: { version: number; scope: string }; after: { version: number; scope: string } } }>(
      em(),
      "select target, data from audit_log where tenant_id = ? and action = 'admin.process.publish'",
      [commune.tenantId],
    );
    expect(audit.target).toBe('question');
    expect(audit.data.before).toMatchObject({ version: shipped.version, scope: 'produit' });
    expect(audit.data.after).toMatchObject({ version: published.version, scope: 'commune' });

    // The same settings again: no new version. The page left open on the old version: refused.
    expect(await publishProcess(em(), ctx(commune), 'question', { ...body, baseVersion: published.version })).toMatchObject({ created: false, version: published.version });
    await expect(publishProcess(em(), ctx(commune), 'question', { ...body, guaranteedDelay: { delay: 'P12D', businessDays: true } })).rejects.toBeInstanceOf(ConflictError);

    const list = await listProcesses(em(), commune.tenantId);
    expect(list.find((p) => p.slug === 'question')!.current).toEqual({ version: published.version, scope: 'commune' });
    expect(list.find((p) => p.slug === 'question')!.versions[0]).toMatchObject({ author: 'Alice Administratrice', scope: 'commune' });

    // The neighbouring municipality never sees, exports or edits this copy.
    const theirs = await listProcesses(em(), other.tenantId);
    expect(theirs.find((p) => p.slug === 'question')!.versions.map((v) => v.version)).not.toContain(published.version);
    await expect(processVersion(em(), other.tenantId, 'question', published.version)).rejects.toBeInstanceOf(NotFoundError);
    expect((await latestProcess(em(), other.tenantId, 'question'))!.tenantId).toBeNull();
    const preview = await previewProcess(em(), other.tenantId, 'question', settings(question));
    expect(preview.unchanged).toBe(true);

    // The export is the stored version, which the command line reads back.
    const file = processExport(await processVersion(em(), commune.tenantId, 'question', published.version));
    expect(file.filename).toBe(`question-v${published.version}.json`);
    expect(JSON.parse(file.body)).toEqual(mine.definition);
  });

  it('answers 404 for an unknown process or version, whatever its spelling', async () => {
    for (const slug of ['inconnu', '../question', 'QUESTION', '']) {
      await expect(processVersion(em(), commune.tenantId, slug)).rejects.toBeInstanceOf(NotFoundError);
    }
    await expect(processVersion(em(), commune.tenantId, 'question', 0)).rejects.toBeInstanceOf(NotFoundError);
    await expect(processVersion(em(), commune.tenantId, 'question', Number.NaN)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('never fails otherwise than with French field errors on hostile settings', async () => {
    const base = settingsOf(question);
    const hostile = fc.oneof(
      fc.anything(),
      fc.record({ guaranteedDelay: fc.anything(), steps: fc.anything() }, { requiredKeys: [] }),
      fc.record({
        guaranteedDelay: fc.record({ delay: fc.string(), businessDays: fc.boolean() }),
        escalation: fc.string(),
        steps: fc.array(
          fc.record(
            {
              id: fc.constantFrom(...base.steps!.map((s) => s.id), 'x'),
              delay: fc.record({ delay: fc.oneof(fc.string(), fc.constantFrom('P1D', 'PT0S', 'P1Y', 'P-1D')), businessDays: fc.boolean() }),
              escalation: fc.string(),
              department: fc.string(),
              rules: fc.array(fc.record({ department: fc.string() })),
              levels: fc.array(fc.record({ role: fc.constantFrom('', 'validator', 'administrator'), validators: fc.array(fc.string()) }), { maxLength: 3 }),
              template: fc.string(),
              timeout: fc.string(),
              reminderAfter: fc.string(),
            },
            { requiredKeys: ['id'] },
          ),
          { maxLength: 8 },
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(hostile, async (body) => {
        try {
          await previewProcess(em(), commune.tenantId, 'centre-loisirs', body);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          for (const e of (error as InputError).errors) {
            expect(e.path === '' || e.path.startsWith('/')).toBe(true);
            expect(e.message).not.toMatch(/^(must|should|Expected|Cannot|undefined)/);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
