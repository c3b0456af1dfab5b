import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormLoadError, loadFormDefinition, loadShippedForms, SHIPPED_DEFINITIONS_DIR } from './load';
import { formValidateCommand } from './cli';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'relais-forms-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeDefinition(name: string, mutate: (d: Record<string, any>) => void = () => {}): string {
  const definition = JSON.parse(readFileSync(join(SHIPPED_DEFINITIONS_DIR, 'brochure-touristique.json'), 'utf8'));
  mutate(definition);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(definition, null, 2));
  return file;
}

describe('loadFormDefinition', () => {
  it('loads a valid file', () => expect(loadFormDefinition(writeDefinition('ok.json')).slug).toBe('brochure-touristique'));

  it('throws FormLoadError with the paths at fault', () => {
    const file = writeDefinition('ko.json', (d) => (d.ui.pages[1].fields[2].name = '/adress'));
    expect(() => loadFormDefinition(file)).toThrowError(FormLoadError);
    try {
      loadFormDefinition(file);
    } catch (error) {
      expect((error as FormLoadError).errors).toEqual([
        { path: '/ui/pages/1/fields/2/name', message: 'Le champ « /adress » n’existe pas dans le schéma des données.' },
        { path: '/schema/required/4', message: 'Le champ obligatoire « adresse » n’apparaît dans aucune page.' },
      ]);
    }
  });
});

describe('loadShippedForms', () => {
  it('loads every shipped definition', () => expect(loadShippedForms().length).toBe(7));

  it('refuses a file whose name differs from its slug', () => {
    const other = mkdtempSync(join(tmpdir(), 'relais-forms-'));
    copyFileSync(join(SHIPPED_DEFINITIONS_DIR, 'acte-deces.json'), join(other, 'deces.json'));
    expect(() => loadShippedForms(other)).toThrowError(/Le slug « acte-deces » doit être le nom du fichier \(deces\.json\)/);
    rmSync(other, { recursive: true, force: true });
  });
});

describe('formValidateCommand', () => {
  it('reports ok for a shipped definition', () =>
    expect(formValidateCommand(join(SHIPPED_DEFINITIONS_DIR, 'centre-loisirs.json'))).toEqual({ ok: true, errors: [] }));

  it('names the JSON path of each problem', () => {
    const file = writeDefinition('cli.json', (d) => {
      d.workflow.delay = 'huit jours';
      d.ui.pages[0].fields[0].widget = 'curseur';
    });
    expect(formValidateCommand(file)).toEqual({
      ok: false,
      errors: [
        `${file} /ui/pages/0/fields/0/widget : Widget inconnu : text, textarea, email, tel, date, number, select, radio, checkbox, checkboxes, address ou postcode.`,
        `${file} /workflow/delay : Délai invalide : une durée ISO 8601 comme « P8D » (8 jours) ou « P2W » (2 semaines).`,
      ],
    });
  });

  it('locates JSON syntax errors by line and column', () => {
    const file = join(dir, 'syntax.json');
    writeFileSync(file, '{\n  "slug": "x",\n  "version": 1,,\n}');
    const { ok, errors } = formValidateCommand(file);
    expect(ok).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/\(racine\) : JSON invalide \(ligne 3, colonne \d+\)/);
  });

  it('reports a missing file', () =>
    expect(formValidateCommand(join(dir, 'absent.json'))).toEqual({ ok: false, errors: [`${join(dir, 'absent.json')} (racine) : Fichier introuvable.`] }));
});
