import { describe, expect, it } from 'vitest';
import { evaluateCondition, isFilled } from './conditions';
import { compileForm } from './compile';
import { miniDefinition } from '@/forms/test-support';

describe('evaluateCondition', () => {
  const data = { mode: 'courrier', age: 7, options: ['a'], vide: '', adresse: { codePostal: '75001' } };

  it('supports equals, notEquals, in and filled', () => {
    expect(evaluateCondition({ field: '/mode', equals: 'courrier' }, data)).toBe(true);
    expect(evaluateCondition({ field: '/mode', equals: 'courriel' }, data)).toBe(false);
    expect(evaluateCondition({ field: '/mode', notEquals: 'courriel' }, data)).toBe(true);
    expect(evaluateCondition({ field: '/age', in: [6, 7, 8] }, data)).toBe(true);
    expect(evaluateCondition({ field: '/age', in: ['7'] }, data)).toBe(false);
    expect(evaluateCondition({ field: '/vide', filled: false }, data)).toBe(true);
    expect(evaluateCondition({ field: '/absent', filled: false }, data)).toBe(true);
    expect(evaluateCondition({ field: '/options', equals: ['a'] }, data)).toBe(true);
    expect(evaluateCondition({ field: '/adresse/codePostal', equals: '75001' }, data)).toBe(true);
  });

  it('combines with all, any and not', () => {
    expect(evaluateCondition({ all: [{ field: '/mode', equals: 'courrier' }, { field: '/age', in: [7] }] }, data)).toBe(true);
    expect(evaluateCondition({ all: [{ field: '/mode', equals: 'courrier' }, { field: '/age', in: [8] }] }, data)).toBe(false);
    expect(evaluateCondition({ any: [{ field: '/mode', equals: 'x' }, { field: '/age', equals: 7 }] }, data)).toBe(true);
    expect(evaluateCondition({ not: { field: '/mode', equals: 'courrier' } }, data)).toBe(false);
  });

  it('does not read inherited properties', () => {
    expect(evaluateCondition({ field: '/toString', filled: true }, {})).toBe(false);
    expect(evaluateCondition({ field: '/constructor', filled: true }, {})).toBe(false);
  });

  it('treats blank text and empty lists as not filled', () => {
    expect([undefined, null, '', '   ', []].map(isFilled)).toEqual([false, false, false, false, false]);
    expect([0, false, 'x', ['x'], {}].map(isFilled)).toEqual([true, true, true, true, true]);
  });
});

describe('showIf at runtime', () => {
  const definition = miniDefinition(
    {
      mode: { enum: ['courrier', 'courriel'] },
      adresse: { type: 'string', minLength: 5 },
      precision: { type: 'string' },
    },
    {
      required: ['mode', 'adresse', 'precision'],
      fields: [
        { name: '/mode', label: 'Mode', widget: 'radio' },
        { name: '/adresse', label: 'Adresse', widget: 'text', showIf: { field: '/mode', equals: 'courrier' } },
        { name: '/precision', label: 'Précision', widget: 'text', showIf: { field: '/adresse', filled: true } },
      ],
    },
  );
  const form = compileForm(definition);

  it('lists the visible fields for the portal', () => {
    expect(form.visibleFields({ mode: 'courriel' }).map((f) => f.name)).toEqual(['/mode']);
    expect(form.visibleFields({ mode: 'courrier' }).map((f) => f.name)).toEqual(['/mode', '/adresse']);
    expect(form.visibleFields({ mode: 'courrier', adresse: '1 rue' }).map((f) => f.name)).toEqual(['/mode', '/adresse', '/precision']);
  });

  it('does not require hidden fields, even when the schema lists them in required', () => {
    expect(form.validate({ mode: 'courriel' })).toEqual({ valid: true, errors: [], data: { mode: 'courriel' } });
  });

  it('drops values of hidden fields, and of fields that depend on hidden ones', () => {
    const result = form.validate({ mode: 'courriel', adresse: 'x', precision: 'y' });
    expect(result).toEqual({ valid: true, errors: [], data: { mode: 'courriel' } });
  });

  it('requires and checks visible fields', () => {
    expect(form.validate({ mode: 'courrier' }).errors).toEqual([{ path: '/adresse', message: 'Ce champ est obligatoire.' }]);
    expect(form.validate({ mode: 'courrier', adresse: 'abc', precision: 'p' }).errors).toEqual([
      { path: '/adresse', message: 'Ne doit pas faire moins de 5 caractères.' },
    ]);
  });

  it('hides every field of a page whose showIf is false', () => {
    const paged = compileForm({
      ...definition,
      ui: {
        pages: [
          { title: 'Un', fields: [{ name: '/mode', label: 'Mode', widget: 'radio' }] },
          {
            title: 'Deux',
            showIf: { field: '/mode', equals: 'courrier' },
            fields: [
              { name: '/adresse', label: 'Adresse', widget: 'text' },
              { name: '/precision', label: 'Précision', widget: 'text' },
            ],
          },
        ],
      },
    });
    expect(paged.validate({ mode: 'courriel', adresse: 'ignorée' })).toMatchObject({ valid: true, data: { mode: 'courriel' } });
    expect(paged.validate({ mode: 'courrier' }).errors.map((e) => e.path)).toEqual(['/adresse', '/precision']);
  });
});
