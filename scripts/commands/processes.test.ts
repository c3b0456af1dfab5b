import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { newId, runRelais, writeTenantFile } from '@/temporal/testing/cli';

const valid = JSON.parse(fs.readFileSync(path.join('domain', 'processes', 'testing', 'valid.json'), 'utf8')) as Record<string, unknown>;
const BROKEN = path.join('domain', 'processes', 'testing', 'broken');

async function versions(slug: string): Promise<Array<{ version: number; tenant: string | null }>> {
  const orm = await initORM(env().DATABASE_URL!);
  return query(orm.em.fork(), 'select p.version, t.slug as tenant from process_definition p left join tenant t on t.id = p.tenant_id where p.slug = ? order by p.version', [slug]);
}

beforeAll(() => {
  expect(env().DATABASE_URL).toBeTruthy();
});
afterAll(() => closeAllORMs());

describe('relais process:validate', () => {
  it('accepts a shipped process, naming it', () => {
    const run = runRelais(['process:validate', 'processes/reservation-salle.json', '--form', 'forms/definitions/reservation-salle.json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('processes/reservation-salle.json est une définition de processus valide (« reservation-salle », 10 étapes).\n');
  });

  it('accepts the street report process against its form, which imports for every municipality', () => {
    const run = runRelais(['process:validate', 'processes/signalement.json', '--form', 'forms/definitions/signalement.json']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('processes/signalement.json est une définition de processus valide (« signalement », 8 étapes).\n');
    // Without --tenant: the same content as the shipped file, so version 1 whether or not it was stored before.
    const imported = runRelais(['form:import', 'forms/definitions/signalement.json']);
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/^signalement : (version 1 enregistrée|inchangé, la version 1 reste en vigueur) pour toutes les communes\.\n$/);
  });

  it('refuses a broken file with exit code 2, naming the JSON path in French', () => {
    const file = path.join(BROKEN, '08-unknown-successor.json');
    const run = runRelais(['process:validate', file]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`La définition de processus est refusée :\n${file} /steps/5/returned : L’étape « rediger » n’existe pas.\n`);
  });

  it('refuses a file that is not JSON, with the line and column', () => {
    const file = writeTenantFile('{\n  "slug": "x",\n  oups\n}');
    const run = runRelais(['process:validate', file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^La définition de processus est refusée :\\n${file} \\(racine\\) : JSON invalide \\(ligne 3, colonne 3\\)`));
  });

  it("checks the names against a municipality's departments with --tenant", () => {
    const file = writeTenantFile({ ...valid, steps: (valid.steps as object[]).map((s, i) => (i === 1 ? { ...s, department: 'voirie', rules: [] } : s)) });
    expect(runRelais(['process:validate', file]).status).toBe(0);
    const run = runRelais(['process:validate', file, '--tenant', 'demo']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${file} /steps/1/department : Service inconnu « voirie »`);
    expect(runRelais(['process:validate', file, '--tenant', 'commune-fantome']).stderr).toBe('Commune inconnue : commune-fantome\n');
  });
});

describe('relais process:import', () => {
  it('stores a new version only when the content changed', async () => {
    const slug = `essai-cli-${newId().slice(0, 8)}`;
    const file = writeTenantFile({ ...valid, slug });
    const first = runRelais(['process:import', file]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe(`${slug} : version 1 enregistrée pour toutes les communes.\n`);
    expect(runRelais(['process:import', file]).stdout).toBe(`${slug} : inchangé, la version 1 reste en vigueur pour toutes les communes.\n`);
    fs.writeFileSync(file, JSON.stringify({ ...valid, slug, title: 'Processus d’essai, deuxième version' }));
    expect(runRelais(['process:import', file, '--tenant', 'demo']).stdout).toBe(
      `${slug} : version 2 enregistrée pour demo.\n`,
    );
    expect(await versions(slug)).toEqual([
      { version: 1, tenant: null },
      { version: 2, tenant: 'demo' },
    ]);
  });

  it('refuses a broken file with exit code 2 and writes nothing', async () => {
    const slug = `essai-cli-${newId().slice(0, 8)}`;
    const broken = JSON.parse(fs.readFileSync(path.join(BROKEN, '23-amount-negative.json'), 'utf8')) as Record<string, unknown>;
    const file = writeTenantFile({ ...broken, slug });
    const run = runRelais(['process:import', file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `La définition de processus est refusée :\n${file} /steps/3/amount : Le montant doit être un nombre entier de centimes d’euro, positif ou nul (ex. 35000 pour 350 €).\n`,
    );
    // Valid in form, but naming a department the municipality does not have.
    const unknown = writeTenantFile({ ...valid, slug, steps: (valid.steps as object[]).map((s, i) => (i === 1 ? { ...s, department: 'voirie', rules: [] } : s)) });
    const refused = runRelais(['process:import', unknown, '--tenant', 'demo']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`${unknown} /steps/1/department : Service inconnu « voirie »`);
    expect(await versions(slug)).toEqual([]);
  });
});

describe('relais process:diagram', () => {
  it('draws a process as SVG or Mermaid, and refuses a broken file', () => {
    const svg = runRelais(['process:diagram', 'processes/centre-loisirs.json']);
    expect(svg.status).toBe(0);
    expect(svg.stdout).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*data-branch="acceptée"[\s\S]*<\/svg>\n$/);
    const mermaid = runRelais(['process:diagram', 'processes/centre-loisirs.json', '--mermaid']);
    expect(mermaid.stdout.split('\n')[0]).toBe('flowchart TD');
    expect(mermaid.stdout).toContain('-->|"refusée"|');
    expect(runRelais(['process:diagram', path.join(BROKEN, '07-unknown-start.json')]).status).toBe(2);
  });
});
