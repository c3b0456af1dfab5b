import { describe, expect, it } from 'vitest';
import { validateDefinition } from './definition';
import type { FormDefinition } from './types';
import { miniDefinition } from '@/forms/test-support';

function base(): FormDefinition {
  return miniDefinition(
    {
      mode: { enum: ['courrier', 'courriel'] },
      adresse: { type: 'string' },
      debut: { type: 'string', format: 'date' },
      fin: { type: 'string', format: 'date' },
      nombre: { type: 'integer' },
    },
    {
      required: ['mode'],
      fields: [
        { name: '/mode', label: 'Mode', widget: 'radio', options: [{ value: 'courrier', label: 'Courrier' }, { value: 'courriel', label: 'Courriel' }] },
        { name: '/adresse', label: 'Adresse', widget: 'textarea', showIf: { field: '/mode', equals: 'courrier' } },
        { name: '/debut', label: 'Début', widget: 'date' },
        { name: '/fin', label: 'Fin', widget: 'date' },
        { name: '/nombre', label: 'Nombre', widget: 'number' },
      ],
      rules: [{ rule: 'dateBefore', first: '/debut', second: '/fin', message: 'La fin suit le début.' }],
    },
  );
}

/** Applies a mutation to a fresh copy of the base definition and validates it. */
function check(mutate: (d: Record<string, any>) => void) {
  const definition = structuredClone(base()) as Record<string, any>;
  mutate(definition);
  return validateDefinition(definition);
}

describe('validateDefinition: format', () => {
  it('accepts the base definition', () => expect(check(() => {})).toEqual({ valid: true, errors: [] }));

  it('takes an optional process, named by its slug', () => {
    expect(check((d) => (d.process = 'centre-loisirs'))).toEqual({ valid: true, errors: [] });
    expect(check((d) => (d.process = 'Centre Loisirs'))).toEqual({
      valid: false,
      errors: [{ path: '/process', message: 'Identifiant invalide : minuscules, chiffres et tirets uniquement (ex. « acte-naissance »).' }],
    });
  });

  it('rejects what is not an object', () => {
    expect(validateDefinition(null)).toEqual({ valid: false, errors: [{ path: '', message: 'La définition doit être un objet JSON.' }] });
    expect(validateDefinition([1])).toEqual({ valid: false, errors: [{ path: '', message: 'La définition doit être un objet JSON.' }] });
  });

  it.each([
    ['missing workflow', (d: any) => delete d.workflow, '/workflow', 'Ce champ est obligatoire.'],
    ['bad slug', (d: any) => (d.slug = 'Acte Naissance'), '/slug', 'Identifiant invalide : minuscules, chiffres et tirets uniquement (ex. « acte-naissance »).'],
    ['version 0', (d: any) => (d.version = 0), '/version', 'La version doit être un entier supérieur ou égal à 1.'],
    ['unknown kind', (d: any) => (d.kind = 'payment'), '/kind', 'Le type de demande doit être « document », « registration », « purchase » ou « question ».'],
    ['unknown top-level key', (d: any) => (d.script = 'alert(1)'), '/script', 'Champ non prévu par le formulaire.'],
    ['unknown widget', (d: any) => (d.ui.pages[0].fields[1].widget = 'slider'), '/ui/pages/0/fields/1/widget', 'Widget inconnu : text, textarea, email, tel, date, number, select, radio, checkbox, checkboxes, address ou postcode.'],
    ['field name that is not a pointer', (d: any) => (d.ui.pages[0].fields[1].name = 'adresse'), '/ui/pages/0/fields/1/name', 'Chemin de champ invalide : un pointeur JSON comme « /enfant/dateNaissance » (lettres, chiffres, _ et -).'],
    ['pointer through __proto__', (d: any) => (d.ui.pages[0].fields[1].name = '/__proto__/x'), '/ui/pages/0/fields/1/name', 'Chemin de champ invalide : un pointeur JSON comme « /enfant/dateNaissance » (lettres, chiffres, _ et -).'],
    ['bad delay', (d: any) => (d.workflow.delay = '8 jours'), '/workflow/delay', 'Délai invalide : une durée ISO 8601 comme « P8D » (8 jours) ou « P2W » (2 semaines).'],
    ['empty pages', (d: any) => (d.ui.pages = []), '/ui/pages', 'Ne doit pas contenir moins de 1 élément.'],
    ['condition with two operators', (d: any) => (d.ui.pages[0].fields[1].showIf = { field: '/mode', equals: 'a', in: ['b'] }), '/ui/pages/0/fields/1/showIf', 'Une condition sur « field » doit avoir exactement un opérateur : equals, notEquals, in ou filled.'],
    ['condition mixing all and any', (d: any) => (d.ui.pages[0].fields[1].showIf = { all: [{ field: '/mode', filled: true }], any: [] }), '/ui/pages/0/fields/1/showIf', 'Une condition doit être « field » avec un opérateur, ou un seul des mots-clés « all », « any », « not ».'],
    ['unknown rule', (d: any) => (d.rules[0] = { rule: 'evalJs', code: '1' }), '/rules/0/rule', 'Valeur « evalJs » non reconnue.'],
    ['rule missing a parameter', (d: any) => delete d.rules[0].second, '/rules/0/second', 'Ce champ est obligatoire.'],
    ['rule with code', (d: any) => (d.rules[0].code = 'return true'), '/rules/0/code', 'Champ non prévu par le formulaire.'],
    ['school holidays without zone', (d: any) => (d.rules = [{ rule: 'dateWithinPeriods', field: '/debut', periods: 'schoolHolidays' }]), '/rules/0/zone', 'Indiquez la zone de vacances scolaires (A, B ou C).'],
    ['purchase without price', (d: any) => (d.kind = 'purchase'), '/workflow/price', 'Un achat en ligne doit indiquer un prix (workflow.price).'],
    ['price both fixed and by field', (d: any) => (d.workflow.price = { currency: 'EUR', amountCents: 100, byField: '/mode', table: { courrier: 1 } }), '/workflow/price', 'Le prix est soit un montant fixe (amountCents), soit une table de prix (byField + table), pas les deux.'],
    ['webhook without url', (d: any) => (d.workflow.export = { connector: 'webhook' }), '/workflow/export/url', 'Ce champ est obligatoire.'],
    ['unknown connector', (d: any) => (d.workflow.export = { connector: 'ftp' }), '/workflow/export/connector', 'Valeur « ftp » non reconnue.'],
    ['data schema root not an object', (d: any) => (d.schema.type = 'array'), '/schema/type', 'Valeur non autorisée.'],
  ])('%s', (_name, mutate, path, message) => {
    const result = check(mutate);
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual({ path, message });
  });

  it('reports errors nested in all / any conditions at their own path', () => {
    const result = check((d) => (d.ui.pages[0].fields[1].showIf = { all: [{ field: '/mode', equals: 'a' }, { field: 'mode', equals: 'b' }] }));
    expect(result.errors).toContainEqual({
      path: '/ui/pages/0/fields/1/showIf/all/1/field',
      message: 'Chemin de champ invalide : un pointeur JSON comme « /enfant/dateNaissance » (lettres, chiffres, _ et -).',
    });
  });
});

describe('validateDefinition: data schema', () => {
  it('reports a keyword with a wrong value at its path in the file', () => {
    const result = check((d) => (d.schema.properties.nombre.minimum = 'un'));
    expect(result.errors).toEqual([{ path: '/schema/properties/nombre/minimum', message: 'La valeur doit être un nombre.' }]);
  });

  it('reports a schema that does not compile (unknown keyword, unknown format)', () => {
    expect(check((d) => (d.schema.properties.adresse.requried = true)).errors[0]).toMatchObject({ path: '/schema' });
    expect(check((d) => (d.schema.properties.adresse.requried = true)).errors[0].message).toContain('unknown keyword: "requried"');
    expect(check((d) => (d.schema.properties.adresse.format = 'fr-siret')).errors[0].message).toContain('unknown format "fr-siret"');
  });
});

describe('validateDefinition: semantics', () => {
  it.each([
    ['ui field missing from the schema', (d: any) => (d.ui.pages[0].fields[1].name = '/adrese'), '/ui/pages/0/fields/1/name', 'Le champ « /adrese » n’existe pas dans le schéma des données.'],
    ['duplicate ui field', (d: any) => d.ui.pages.push({ title: 'Deux', fields: [{ name: '/mode', label: 'Encore', widget: 'text' }] }), '/ui/pages/1/fields/0/name', 'Le champ « /mode » figure déjà dans l’interface (/ui/pages/0/fields/0).'],
    ['showIf on an unknown field', (d: any) => (d.ui.pages[0].fields[1].showIf = { field: '/mod', equals: 'courrier' }), '/ui/pages/0/fields/1/showIf/field', 'Le champ « /mod » n’existe pas dans le schéma des données.'],
    ['nested showIf on an unknown field', (d: any) => (d.ui.pages[0].fields[1].showIf = { any: [{ field: '/mode', equals: 'a' }, { not: { field: '/x', filled: true } }] }), '/ui/pages/0/fields/1/showIf/any/1/not/field', 'Le champ « /x » n’existe pas dans le schéma des données.'],
    ['field showing itself', (d: any) => (d.ui.pages[0].fields[1].showIf = { field: '/adresse', filled: true }), '/ui/pages/0/fields/1/showIf/field', 'Un champ ne peut pas dépendre de lui-même pour son affichage.'],
    ['page showIf on an unknown field', (d: any) => (d.ui.pages[0].showIf = { field: '/nope', filled: true }), '/ui/pages/0/showIf/field', 'Le champ « /nope » n’existe pas dans le schéma des données.'],
    ['rule on an unknown field', (d: any) => (d.rules[0].second = '/fim'), '/rules/0/second', 'Le champ « /fim » n’existe pas dans le schéma des données.'],
    ['date rule on a non-date field', (d: any) => (d.rules[0].first = '/adresse'), '/rules/0/first', 'Le champ « /adresse » doit être une date (format « date »).'],
    ['requiredIf condition on an unknown field', (d: any) => d.rules.push({ rule: 'requiredIf', field: '/adresse', when: { field: '/modeEnvoi', equals: 'x' } }), '/rules/1/when/field', 'Le champ « /modeEnvoi » n’existe pas dans le schéma des données.'],
    ['ageBetween with min above max', (d: any) => d.rules.push({ rule: 'ageBetween', field: '/debut', min: 12, max: 3, at: 'today' }), '/rules/1/min', 'L’âge minimum dépasse l’âge maximum.'],
    ['maxByOption on a text field', (d: any) => d.rules.push({ rule: 'maxByOption', field: '/adresse', option: '/mode', limits: { courrier: 1 } }), '/rules/1/field', 'Le champ « /adresse » doit être un nombre.'],
    ['maxByOption limit for an unknown option', (d: any) => d.rules.push({ rule: 'maxByOption', field: '/nombre', option: '/mode', limits: { pigeon: 1 } }), '/rules/1/limits/pigeon', 'L’option « pigeon » ne figure pas dans l’énumération de « /mode ».'],
    ['period ending before it starts', (d: any) => d.rules.push({ rule: 'dateWithinPeriods', field: '/debut', periods: [['2026-08-01', '2026-07-01']] }), '/rules/1/periods/0', 'La période se termine avant de commencer.'],
    ['option value outside the enum', (d: any) => (d.ui.pages[0].fields[0].options[1].value = 'fax'), '/ui/pages/0/fields/0/options/1/value', 'La valeur « fax » ne figure pas dans l’énumération du schéma.'],
    ['widget unfit for the type', (d: any) => (d.ui.pages[0].fields[4].widget = 'checkbox'), '/ui/pages/0/fields/4/widget', 'Le widget « checkbox » ne convient pas à un champ de type « integer ».'],
    ['required field absent from every page', (d: any) => { d.schema.required = ['mode', 'nombre']; d.ui.pages[0].fields.pop(); }, '/schema/required/1', 'Le champ obligatoire « nombre » n’apparaît dans aucune page.'],
    ['price table on an unknown field', (d: any) => (d.workflow.price = { currency: 'EUR', byField: '/salle', table: { a: 1 } }), '/workflow/price/byField', 'Le champ « /salle » n’existe pas dans le schéma des données.'],
  ])('%s', (_name, mutate, path, message) => {
    const result = check(mutate);
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual({ path, message });
  });

  it('finds fields through $ref, nested objects and conditional branches', () => {
    const result = check((d) => {
      d.schema.$defs = { adresse: { type: 'object', properties: { codePostal: { type: 'string', format: 'fr-postcode' } } } };
      d.schema.properties.postale = { $ref: '#/$defs/adresse' };
      d.schema.allOf = [{ if: { required: ['mode'] }, then: { properties: { bonus: { type: 'string' } } } }];
      d.ui.pages[0].fields.push({ name: '/postale/codePostal', label: 'Code postal', widget: 'postcode' }, { name: '/bonus', label: 'Bonus', widget: 'text' });
    });
    expect(result).toEqual({ valid: true, errors: [] });
  });

  it('never throws on hostile definitions', () => {
    let deep: unknown = {};
    for (let i = 0; i < 10_000; i++) deep = { properties: deep };
    expect(check((d) => (d.schema.properties.adresse = deep)).valid).toBe(false);
    expect(validateDefinition(JSON.parse('{"__proto__":{"polluted":true}}')).errors).toContainEqual({
      path: '/__proto__',
      message: 'Nom de champ interdit : « __proto__ ».',
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
