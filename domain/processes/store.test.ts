import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFormDefinition } from '@/forms/load';
import { env } from '@/domain/env';
import { importFormDefinition } from '@/domain/forms/store';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { importTenant, type TenantConfig } from '@/domain/tenant-config/import';
import { InputError } from '@/domain/validation';
import { SHIPPED_PROCESSES } from '@/processes/shipped';
import type { ProcessDefinition } from './definition';
import { ensureShippedProcesses, importProcessDefinition, latestProcess, listProcessVersions, processAtVersion, processFingerprint } from './store';

let orm: MikroORM;
let tenantId: string;
let tenantSlug: string;
const demo = JSON.parse(fs.readFileSync(path.join('domain', 'tenant-config', 'demo-tenant.json'), 'utf8')) as TenantConfig;
const valid = (): ProcessDefinition => JSON.parse(fs.readFileSync(path.join('domain', 'processes', 'testing', 'valid.json'), 'utf8')) as ProcessDefinition;
const rows = async (slug: string) =>
  query<{ version: number; tenant_id: string | null }>(orm.em.fork(), 'select version, tenant_id from process_definition where slug = ? order by version', [slug]);

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  await ensureShippedProcesses(orm);
  // A tenant of its own: its versions of shipped processes must not reach the demo tenant other tests use.
  tenantSlug = `processus-${Date.now()}`;
  await importTenant(orm, {
    ...structuredClone(demo),
    slug: tenantSlug,
    hostnames: [],
    agents: [],
    settings: { ...demo.settings, mail: { ...demo.settings.mail, addresses: [`mairie@${tenantSlug}.fr`] } },
  });
  [{ id: tenantId }] = await query<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [tenantSlug]);
});

afterAll(() => closeAllORMs());

describe('process definition store', () => {
  it('stores the shipped processes once, for every tenant', async () => {
    const again = await ensureShippedProcesses(orm);
    expect(again.map((r) => r.slug).sort()).toEqual(SHIPPED_PROCESSES.map((p) => p.slug).sort());
    for (const process of SHIPPED_PROCESSES) {
      const stored = await latestProcess(orm.em.fork(), tenantId, process.slug);
      expect(stored?.tenantId).toBeNull();
      expect(stored?.sha256).toBe(processFingerprint(process));
      const { $schema: _schema, ...content } = process;
      expect(stored?.definition).toEqual(content);
    }
    // A second import of the same content is no new version.
    const question = SHIPPED_PROCESSES.find((p) => p.slug === 'question')!;
    const result = await importProcessDefinition(orm.em.fork(), question, { tenantId: null });
    expect(result).toMatchObject({ slug: 'question', created: false });
  });

  it('makes a new version only when the content changes, and keeps every version', async () => {
    const definition = { ...valid(), slug: `essai-${randomUUID().slice(0, 8)}` };
    expect(await importProcessDefinition(orm.em.fork(), definition, { tenantId })).toEqual({ slug: definition.slug, version: 1, created: true, previousVersion: undefined });
    // Key order and $schema do not count.
    const reordered = Object.fromEntries(Object.entries({ ...definition, $schema: '../autre.json' }).reverse());
    expect(await importProcessDefinition(orm.em.fork(), reordered, { tenantId })).toEqual({ slug: definition.slug, version: 1, created: false });
    const longer = { ...definition, guaranteedDelay: { delay: 'P15D', businessDays: true } };
    expect(await importProcessDefinition(orm.em.fork(), longer, { tenantId, createdBy: undefined })).toEqual({ slug: definition.slug, version: 2, created: true, previousVersion: 1 });

    expect((await latestProcess(orm.em.fork(), tenantId, definition.slug))?.definition.guaranteedDelay.delay).toBe('P15D');
    expect((await processAtVersion(orm.em.fork(), tenantId, definition.slug, 1))?.definition.guaranteedDelay.delay).toBe('P10D');
    expect(await processAtVersion(orm.em.fork(), tenantId, definition.slug, 3)).toBeUndefined();
    // Another tenant sees neither version.
    const [{ id: demoId }] = await query<{ id: string }>(orm.em.fork(), "select id from tenant where slug = 'demo'");
    expect(await latestProcess(orm.em.fork(), demoId, definition.slug)).toBeUndefined();
    expect(await processAtVersion(orm.em.fork(), demoId, definition.slug, 1)).toBeUndefined();
  });

  it("prefers the tenant's own version over the shipped one, for that tenant only", async () => {
    const question = structuredClone(SHIPPED_PROCESSES.find((p) => p.slug === 'question')!);
    question.guaranteedDelay = { delay: 'P5D', businessDays: true };
    const shipped = (await latestProcess(orm.em.fork(), null, 'question'))!;
    const result = await importProcessDefinition(orm.em.fork(), question, { tenantId });
    expect(result.created).toBe(true);
    expect(result.version).toBeGreaterThan(shipped.version);

    const own = await latestProcess(orm.em.fork(), tenantId, 'question');
    expect(own).toMatchObject({ tenantId, version: result.version });
    expect(own?.definition.guaranteedDelay.delay).toBe('P5D');
    const [{ id: demoId }] = await query<{ id: string }>(orm.em.fork(), "select id from tenant where slug = 'demo'");
    expect(await latestProcess(orm.em.fork(), demoId, 'question')).toMatchObject({ tenantId: null, version: shipped.version });

    const list = await listProcessVersions(orm.em.fork(), tenantId);
    const entry = list.find((p) => p.slug === 'question')!;
    expect(entry.current).toEqual({ version: result.version, scope: 'commune' });
    expect(entry.versions.map((v) => v.scope)).toEqual(['commune', ...Array(entry.versions.length - 1).fill('produit')]);
    expect(list.map((p) => p.slug)).toEqual(expect.arrayContaining(SHIPPED_PROCESSES.map((p) => p.slug)));
  });

  it("refuses a definition naming what the tenant does not have, with the path, and writes nothing", async () => {
    const definition = { ...valid(), slug: `essai-${randomUUID().slice(0, 8)}` };
    (definition.steps[1] as { department: string }).department = 'voirie';
    const error = await importProcessDefinition(orm.em.fork(), definition, { tenantId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).errors).toEqual([
      { path: '/steps/1/department', message: 'Service inconnu « voirie » (connus : « accueil », « affaires-scolaires », « etat-civil », « parcs-jardins », « urbanisme »).' },
    ]);
    expect(await rows(definition.slug)).toEqual([]);
  });
});

describe('forms point to processes', () => {
  const form = (slug: string) => ({ ...loadFormDefinition(`forms/definitions/${slug}.json`), slug: `${slug}-${randomUUID().slice(0, 8)}` });

  it('stores a form naming a shipped process', async () => {
    expect(await importFormDefinition(orm.em.fork(), form('centre-loisirs'), tenantId)).toMatchObject({ created: true });
  });

  it('refuses a form naming an unknown process', async () => {
    const definition = { ...form('centre-loisirs'), process: 'inscription-cantine' };
    const error = await importFormDefinition(orm.em.fork(), definition, tenantId).catch((e: unknown) => e);
    expect((error as InputError).errors).toEqual([{ path: '/process', message: 'Processus inconnu « inscription-cantine » : importez-le d’abord (npx relais process:import).' }]);
    expect(await query(orm.em.fork(), 'select 1 from form_definition where slug = ?', [definition.slug])).toEqual([]);
  });

  it('refuses a form whose process reads fields it does not have or exports through another connector', async () => {
    const definition = { ...form('centre-loisirs'), process: 'reservation-salle' };
    const error = await importFormDefinition(orm.em.fork(), definition, tenantId).catch((e: unknown) => e);
    const version = (await latestProcess(orm.em.fork(), tenantId, 'reservation-salle'))!.version;
    expect((error as InputError).errors).toEqual([
      {
        path: '/process',
        message: `Le processus « reservation-salle » (version ${version}) ne convient pas à ce formulaire : /steps/3/amount Le champ « data.salle » n’existe pas dans le formulaire « ${definition.slug} ».`,
      },
      {
        path: '/process',
        message: `Le processus « reservation-salle » (version ${version}) ne convient pas à ce formulaire : /steps/4/connector Connecteur d’export inconnu « file » (connus : « database »).`,
      },
    ]);
  });
});
