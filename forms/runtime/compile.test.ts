import { describe, expect, it } from 'vitest';
import { compileForm, FormDefinitionError } from './compile';
import { miniDefinition } from '@/forms/test-support';

describe('French messages', () => {
  const form = compileForm(
    miniDefinition(
      {
        nom: { type: 'string', minLength: 2 },
        code: { type: 'string', pattern: '^[0-9]{4}$', errorMessage: { pattern: 'Le code comporte 4 chiffres.' } },
        age: { type: 'integer', minimum: 0, maximum: 120 },
        choix: { enum: ['a', 'b'] },
        adresse: {
          type: 'object',
          required: ['ville'],
          properties: { ville: { type: 'string' }, cp: { type: 'string', format: 'fr-postcode' } },
        },
      },
      {
        required: ['nom', 'age'],
        schema: { errorMessage: { required: { age: 'Indiquez votre âge.' } } },
      },
    ),
  );

  it('localises ajv errors with ajv-i18n, as sentences', () => {
    expect(form.validate({ nom: 'a', age: 130 }).errors).toEqual([
      { path: '/nom', message: 'Ne doit pas faire moins de 2 caractères.' },
      { path: '/age', message: 'Doit être <= 120.' },
    ]);
  });

  it('keeps errorMessage texts from the schema untouched', () => {
    expect(form.validate({ nom: 'ab', age: 1, code: '12' }).errors).toEqual([{ path: '/code', message: 'Le code comporte 4 chiffres.' }]);
    expect(form.validate({ nom: 'ab' }).errors).toEqual([{ path: '/age', message: 'Indiquez votre âge.' }]);
  });

  it('puts required errors on the missing field, including nested ones', () => {
    expect(form.validate({ age: 3, adresse: { cp: '2A004' } }).errors).toEqual([
      { path: '/nom', message: 'Ce champ est obligatoire.' },
      { path: '/adresse/ville', message: 'Ce champ est obligatoire.' },
      { path: '/adresse/cp', message: 'Code postal invalide (5 chiffres, exemple : 75001).' },
    ]);
  });

  it('treats blank text and null as not filled', () => {
    expect(form.validate({ nom: '  ', age: null }).errors.map((e) => e.path)).toEqual(['/nom', '/age']);
  });

  it('asks to choose among the proposed values', () => {
    expect(form.validate({ nom: 'ab', age: 1, choix: 'c' }).errors).toEqual([{ path: '/choix', message: 'Choisissez l’une des valeurs proposées.' }]);
  });

  it('returns the cleaned data when valid', () => {
    expect(form.validate({ nom: 'ab', age: 1, code: '' })).toEqual({ valid: true, errors: [], data: { nom: 'ab', age: 1 } });
  });

  it('reports schema if/then failures without the generic "if" error', () => {
    const conditional = compileForm(
      miniDefinition(
        { mode: { enum: ['courrier', 'courriel'] }, adresse: { type: 'string' } },
        { schema: { if: { properties: { mode: { const: 'courrier' } }, required: ['mode'] }, then: { required: ['adresse'] } } },
      ),
    );
    expect(conditional.validate({ mode: 'courrier' }).errors).toEqual([{ path: '/adresse', message: 'Ce champ est obligatoire.' }]);
    expect(conditional.validate({ mode: 'courriel' }).valid).toBe(true);
  });
});

describe('compileForm', () => {
  it('refuses an invalid definition with the paths at fault', () => {
    const broken = miniDefinition({ nom: { type: 'string' } }, { fields: [{ name: '/prenom', label: 'Prénom', widget: 'text' }] });
    expect(() => compileForm(broken)).toThrowError(FormDefinitionError);
    try {
      compileForm(broken);
    } catch (error) {
      expect((error as FormDefinitionError).errors).toEqual([
        { path: '/ui/pages/0/fields/0/name', message: 'Le champ « /prenom » n’existe pas dans le schéma des données.' },
      ]);
    }
  });

  it('compiles forms sharing the same schema $id independently', () => {
    const a = compileForm(miniDefinition({ nom: { type: 'string' } }, { schema: { $id: 'urn:relais:essai' } }));
    const b = compileForm(miniDefinition({ nom: { type: 'integer' } }, { schema: { $id: 'urn:relais:essai' } }));
    expect(a.validate({ nom: 'x' }).valid).toBe(true);
    expect(b.validate({ nom: 'x' }).valid).toBe(false);
  });
});
