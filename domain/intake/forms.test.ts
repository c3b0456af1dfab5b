import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as postFormRequest } from '@/app/api/v1/t/[tenant]/forms/[slug]/requests/route';
import { GET as getForm } from '@/app/api/v1/t/[tenant]/forms/[slug]/route';
import { validSamples } from '@/forms/samples';
import { SHIPPED_FORMS } from '@/forms/shipped';
import { callRoute } from '@/temporal/testing/helpers';
import { env } from '@/domain/env';
import { ensureShippedForms, importFormDefinition, listFormVersions } from '@/domain/forms/store';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { InputError } from '@/domain/validation';
import type { RouteStep } from '@/domain/processes/definition';
import { SHIPPED_PROCESSES } from '@/processes/shipped';
import { routeOf } from '@/workflows/process/steps';
import { createIntake } from './submission';
import { type StartRequestInput } from './start-input';
import { createFormIntake } from './forms';

let orm: MikroORM;
const started: StartRequestInput[] = [];
let forms: ReturnType<typeof createFormIntake>;
const samples = validSamples();

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  await ensureShippedForms(orm);
  // A recording starter: these tests are about validation and storage, not the workflow.
  const intake = createIntake({ orm, publicUrl: 'http://relais.test', startWorkflow: async (input) => void started.push(input) });
  forms = createFormIntake({ orm, intake });
});

afterAll(() => closeAllORMs());

async function requestRow(reference: string) {
  const [row] = await query<{ form_version: number; form_data: Record<string, unknown>; reply_channel: string; citizen: Record<string, string>; channel: string; kind: string; body: string }>(
    orm.em.fork(),
    "select r.form_version, r.form_data, r.reply_channel, r.citizen, r.channel, r.kind, r.body from request r join tenant t on t.id = r.tenant_id where t.slug = 'demo' and r.reference = ?",
    [reference],
  );
  return row;
}

async function countRequests(): Promise<number> {
  const [row] = await query<{ n: number }>(orm.em.fork(), 'select count(*)::int as n from request');
  return row.n;
}

describe('form intake', () => {
  it.each(SHIPPED_FORMS.map((f) => f.slug))('files a valid %s request with its form version and derived contact', async (slug) => {
    const receipt = await forms.submitForm('demo', slug, { data: samples[slug] });
    expect(receipt.formVersion).toBe(1);
    const row = await requestRow(receipt.reference);
    expect(row.form_version).toBe(1);
    expect(row.channel).toBe('form');
    expect(row.form_data).toEqual(samples[slug]);
    expect(row.citizen.email).toMatch(/@/);
    expect(row.body).toContain(' : ');
  });

  it('derives the reply channel and the postal address from the form', async () => {
    const receipt = await forms.submitForm('demo', 'acte-naissance', { data: samples['acte-naissance'] });
    const row = await requestRow(receipt.reference);
    expect(row.reply_channel).toBe('post');
    expect(row.citizen).toEqual({ name: 'Léa, Marie Martin', email: 'lea.martin@exemple.fr', postalAddress: '12 rue de la République\n93100 MONTREUIL' });
    const loisirs = await requestRow((await forms.submitForm('demo', 'centre-loisirs', { data: samples['centre-loisirs'] })).reference);
    expect(loisirs.citizen).toMatchObject({ name: 'Karim Moreau', email: 'karim.moreau@exemple.fr', phone: '+33612345678' });
    expect(loisirs.kind).toBe('registration');
  });

  it('refuses invalid data before the request exists, with paths into /data', async () => {
    const before = await countRequests();
    const attempt = forms.submitForm('demo', 'acte-naissance', { data: { ...samples['acte-naissance'], courriel: 'pas-une-adresse', dateNaissance: '2999-01-01', nom: undefined } });
    await expect(attempt).rejects.toBeInstanceOf(InputError);
    const errors = ((await attempt.catch((e: InputError) => e)) as InputError).errors.map((e: { path: string }) => e.path);
    expect(errors).toEqual(expect.arrayContaining(['/data/courriel', '/data/dateNaissance', '/data/nom']));
    expect(await countRequests()).toBe(before);
  });

  it('points a missing e-mail (needed to follow the request) at the form field', async () => {
    const { courriel: _c, ...noEmail } = samples['brochure-touristique'];
    await expect(forms.submitForm('demo', 'brochure-touristique', { data: noEmail })).rejects.toMatchObject({
      errors: [{ path: '/data/courriel', message: 'Indiquez une adresse électronique ou un numéro de téléphone pour suivre votre demande.' }],
    });
  });

  it('keeps the version a request was submitted with when a new version is imported', async () => {
    const base = SHIPPED_FORMS.find((f) => f.slug === 'acte-deces')!;
    const changed = { ...base, title: 'Demande d’acte de décès (nouvelle version)' };
    const [tenant] = await query<{ id: string }>(orm.em.fork(), "select id from tenant where slug = 'demo'");
    const first = await importFormDefinition(orm.em.fork(), changed, tenant.id);
    expect(first).toMatchObject({ slug: 'acte-deces', created: true });
    expect(first.version).toBeGreaterThan(1);
    expect(await importFormDefinition(orm.em.fork(), changed, tenant.id)).toMatchObject({ version: first.version, created: false });

    const latest = await forms.submitForm('demo', 'acte-deces', { data: samples['acte-deces'] });
    expect(latest.formVersion).toBe(first.version);
    const pinned = await forms.submitForm('demo', 'acte-deces', { data: samples['acte-deces'], version: 1 });
    expect((await requestRow(pinned.reference)).form_version).toBe(1);
    await expect(forms.submitForm('demo', 'acte-deces', { data: samples['acte-deces'], version: 999 })).rejects.toMatchObject({ errors: [{ path: '/version' }] });

    const versions = (await listFormVersions(orm.em.fork(), tenant.id)).filter((v) => v.slug === 'acte-deces');
    expect(versions.map((v) => [v.version, v.scope, v.current])).toEqual([[first.version, 'commune', true], [1, 'produit', false]]);
    expect(versions[1].requests).toBeGreaterThanOrEqual(2);
  });

  it('files a street report with its place; the process routes it on the stored nature', async () => {
    const data = { ...samples.signalement, nature: 'arbre', description: 'Une grosse branche pend au-dessus du trottoir après l’orage.', dateConstat: '2026-08-30' };
    const receipt = await forms.submitForm('demo', 'signalement', { data });
    const row = await requestRow(receipt.reference);
    expect(row.form_data).toEqual(data);
    expect(row.form_data).toMatchObject({ voie: '14 rue Victor-Hugo', repere: 'En face de l’arrêt de bus Mairie', latitude: 48.8566, longitude: 2.3522 });
    expect(row.kind).toBe('question');
    expect(row.reply_channel).toBe('email');
    // The place is not the citizen's postal address.
    expect(row.citizen).toEqual({ name: 'Thi Lan Nguyen', email: 'thilan.nguyen@exemple.fr' });
    expect(row.body).toContain('- Nature du problème : Arbre ou branche dangereux ou tombé');
    expect(row.body).toContain('- Adresse ou rue : 14 rue Victor-Hugo');
    expect(row.body).toContain('- Repère : En face de l’arrêt de bus Mairie');
    const [filed] = await query<{ topic: string; department: string }>(
      orm.em.fork(),
      "select tp.slug as topic, d.slug as department from request r join tenant t on t.id = r.tenant_id join topic tp on tp.id = r.topic_id join department d on d.id = r.department_id where t.slug = 'demo' and r.reference = ?",
      [receipt.reference],
    );
    expect(filed).toEqual({ topic: 'signalement', department: 'urbanisme' });

    const process = SHIPPED_PROCESSES.find((p) => p.slug === 'signalement')!;
    const route = process.steps.find((s): s is RouteStep => s.kind === 'route')!;
    const routed = (stored: Record<string, unknown>) => routeOf(route, { data: stored, citizen: row.citizen, channel: 'form', receivedAt: '2026-09-01T08:00:00Z' });
    expect(routed(row.form_data)).toEqual({ department: 'parcs-jardins', rule: 0, errors: [] });
    const byNature = Object.fromEntries(['voirie', 'eclairage', 'proprete', 'espaces-verts', 'arbre', 'abords-ecole', 'autre'].map((n) => [n, routed({ ...row.form_data, nature: n }).department]));
    expect(byNature).toEqual({ voirie: 'urbanisme', eclairage: 'urbanisme', proprete: 'parcs-jardins', 'espaces-verts': 'parcs-jardins', arbre: 'parcs-jardins', 'abords-ecole': 'affaires-scolaires', autre: 'urbanisme' });
  });

  it('files a street report followed by phone only, and refuses one with no way to reply', async () => {
    const { courriel: _c, ...byPhone } = samples.signalement;
    const row = await requestRow((await forms.submitForm('demo', 'signalement', { data: { ...byPhone, telephone: '06 12 34 56 78' } })).reference);
    expect(row.citizen).toEqual({ name: 'Thi Lan Nguyen', phone: '+33612345678' });
    expect(row.reply_channel).toBe('sms');
    const before = await countRequests();
    await expect(forms.submitForm('demo', 'signalement', { data: byPhone })).rejects.toMatchObject({
      errors: [{ path: '/data/courriel', message: 'Indiquez une adresse électronique ou un numéro de téléphone pour être informé du traitement de votre signalement.' }],
    });
    expect(await countRequests()).toBe(before);
  });

  it('refuses hostile street reports over HTTP with French errors at /data paths, creating nothing', async () => {
    const before = await countRequests();
    const post = (data: unknown) => callRoute(postFormRequest, { tenant: 'demo', slug: 'signalement' }, { method: 'POST', body: { data } });
    const bad = await post({ ...samples.signalement, nature: 'incendie', voie: '12', latitude: '48°51′N', quartier: { $ne: null }, danger: 'true' });
    expect(bad.status).toBe(400);
    const paths = ((await bad.json()).errors as { path: string; message: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/data/nature', '/data/voie', '/data/latitude', '/data/quartier', '/data/danger']));
    // An oversized string is refused by the guard before validation, on its own path.
    const huge = await post({ ...samples.signalement, voie: 'x'.repeat(100_000) });
    expect(huge.status).toBe(400);
    expect((await huge.json()).errors).toEqual([{ path: '/data/voie', message: expect.stringMatching(/caractères/) }]);
    expect((await post(JSON.parse('{"__proto__": {"isAdmin": true}, "nature": "voirie"}'))).status).toBe(400);
    expect((await post([samples.signalement])).status).toBe(400);
    expect((await post({ ...samples.signalement, longitude: undefined })).status).toBe(400);
    expect(await countRequests()).toBe(before);
  });

  it('refuses an invalid definition on import with JSON paths', async () => {
    await expect(importFormDefinition(orm.em.fork(), { slug: 'x', version: 1 })).rejects.toMatchObject({ errors: expect.arrayContaining([expect.objectContaining({ path: '/title' })]) });
  });
});

describe('forms API', () => {
  it('serves the definition and answers 400 with /data paths, 201 with the receipt, 404 for unknown forms', async () => {
    const definition = await callRoute(getForm, { tenant: 'demo', slug: 'reservation-salle' });
    expect(definition.status).toBe(200);
    expect((await definition.json()).definition.slug).toBe('reservation-salle');
    const bad = await callRoute(postFormRequest, { tenant: 'demo', slug: 'reservation-salle' }, { method: 'POST', body: { data: { ...samples['reservation-salle'], nombrePersonnes: 900 } } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors).toContainEqual({ path: '/data/nombrePersonnes', message: 'La capacité de cette salle est de 250 personnes au maximum.' });
    const good = await callRoute(postFormRequest, { tenant: 'demo', slug: 'reservation-salle' }, { method: 'POST', body: { data: samples['reservation-salle'] } });
    expect(good.status).toBe(201);
    expect(await good.json()).toMatchObject({ reference: expect.any(String), trackingCode: expect.any(String), formVersion: 1 });
    expect((await callRoute(getForm, { tenant: 'demo', slug: 'inconnu' })).status).toBe(404);
    expect((await callRoute(postFormRequest, { tenant: 'nulle-part', slug: 'acte-naissance' }, { method: 'POST', body: { data: {} } })).status).toBe(404);
  });
});
