import { describe, expect, it } from 'vitest';
import { compileForm } from './compile';
import { miniDefinition } from '@/forms/test-support';

const form = compileForm(
  miniDefinition(
    {
      nom: { type: 'string' },
      court: { type: 'string', maxLength: 20 },
      long: { type: 'string', maxLength: 50_000 },
      liste: { type: 'array', items: { type: 'string' } },
      objet: { type: 'object' },
    },
    { schema: { additionalProperties: false } },
  ),
);

function timed<T>(run: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = run();
  return { result, ms: performance.now() - start };
}

describe('hostile input', () => {
  it('rejects a 10 MB string quickly, with a French message', () => {
    const { result, ms } = timed(() => form.validate({ nom: 'x'.repeat(10 * 1024 * 1024) }));
    expect(result).toEqual({
      valid: false,
      errors: [{ path: '/nom', message: 'Le texte dépasse la longueur maximale autorisée (50000 caractères).' }],
    });
    expect(ms).toBeLessThan(500);
  });

  it('keeps the default cap at 10,000 characters when the schema declares no larger maxLength', () => {
    const plain = compileForm(miniDefinition({ nom: { type: 'string' } }));
    expect(plain.validate({ nom: 'x'.repeat(10_001) }).errors).toEqual([
      { path: '/nom', message: 'Le texte dépasse la longueur maximale autorisée (10000 caractères).' },
    ]);
    expect(plain.validate({ nom: 'x'.repeat(10_000) }).valid).toBe(true);
  });

  it('applies a smaller maxLength from the schema with the ajv-i18n message', () => {
    expect(form.validate({ court: 'x'.repeat(21) }).errors).toEqual([{ path: '/court', message: 'Ne doit pas dépasser 20 caractères.' }]);
  });

  it('rejects 10,000-deep nesting without recursion or stack overflow', () => {
    let deep: unknown = 'fond';
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const { result, ms } = timed(() => form.validate({ objet: deep }));
    expect(result.valid).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].message).toBe('Structure trop profondément imbriquée (au plus 32 niveaux).');
    expect(result.errors[0].path.startsWith('/objet/a/a/')).toBe(true);
    expect(ms).toBeLessThan(500);
  });

  it('rejects deeply nested arrays parsed from JSON text', () => {
    const text = `{"liste":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(form.validate(JSON.parse(text)).errors[0].message).toContain('trop profondément imbriquée');
  });

  it('rejects __proto__, constructor and prototype keys coming from JSON.parse', () => {
    const data = JSON.parse('{"nom":"a","__proto__":{"isAdmin":true},"objet":{"constructor":{"prototype":{"x":1}}}}');
    const result = form.validate(data);
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(
      expect.arrayContaining([
        { path: '/__proto__', message: 'Nom de champ interdit : « __proto__ ».' },
        { path: '/objet/constructor', message: 'Nom de champ interdit : « constructor ».' },
      ]),
    );
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('rejects an array of a million items from its length alone', () => {
    const liste = new Array<string>(1_000_000).fill('x');
    const { result, ms } = timed(() => form.validate({ liste }));
    expect(result.errors).toEqual([{ path: '/liste', message: "La liste contient trop d'éléments (au plus 1000)." }]);
    expect(ms).toBeLessThan(200);
  });

  it('rejects data that is not a JSON object', () => {
    for (const input of [null, undefined, 42, 'texte', [], [{}], new Date(), new Map()]) {
      expect(form.validate(input)).toEqual({ valid: false, errors: [{ path: '', message: 'Les données du formulaire doivent être un objet JSON.' }] });
    }
  });

  it('rejects values JSON cannot carry', () => {
    const errors = form.validate({ nom: () => 1, court: Number.NaN, long: 10n, objet: new Date(), liste: [Symbol('s')] }).errors;
    expect(errors.map((e) => e.path).sort()).toEqual(['/court', '/liste/0', '/long', '/nom', '/objet']);
  });

  it('reports wrong types in French', () => {
    expect(form.validate({ nom: 12, liste: 'pas une liste', objet: [] }).errors).toEqual([
      { path: '/nom', message: 'La valeur doit être un texte.' },
      { path: '/liste', message: 'La valeur doit être une liste.' },
      { path: '/objet', message: 'La valeur doit être un objet.' },
    ]);
  });

  it('rejects objects with too many keys and unknown fields', () => {
    const wide = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, i]));
    expect(form.validate({ objet: wide }).errors).toEqual([{ path: '/objet', message: 'Trop de champs dans cet objet (au plus 500).' }]);
    expect(form.validate({ inconnu: 1 }).errors).toEqual([{ path: '/inconnu', message: 'Champ non prévu par le formulaire.' }]);
  });

  it('never throws on a getter that throws', () => {
    const trap = Object.defineProperty({}, 'nom', {
      enumerable: true,
      get() {
        throw new Error('piège');
      },
    });
    expect(form.validate(trap)).toEqual({ valid: false, errors: [{ path: '', message: 'Les données du formulaire sont illisibles.' }] });
  });

  it('caps the number of errors returned', () => {
    const many = compileForm(miniDefinition({ liste: { type: 'array', items: { type: 'integer' } } }));
    const result = many.validate({ liste: Array.from({ length: 1000 }, () => 'x') });
    expect(result.errors.length).toBe(100);
  });
});
