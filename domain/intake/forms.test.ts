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
