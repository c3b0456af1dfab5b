import { describe, expect, it } from 'vitest';
import { isFrenchMobile, isFrenchPhone, isFrenchPostcode, isInseeCommuneCode } from './formats';
import { compileForm } from './compile';
import { miniDefinition } from '@/forms/test-support';

describe('fr-mobile', () => {
  it.each(['0612345678', '06 12 34 56 78', '07.12.34.56.78', '+33612345678', '+33 6 12 34 56 78', '+33 7 12 34 56 78', '0033 6 12 34 56 78', '06-12-34-56-78'])(
    'accepts %s',
    (value) => expect(isFrenchMobile(value)).toBe(true),
  );
  it.each(['0123456789', '0812345678', '061234567', '06123456789', '+33 06 12 34 56 78', '+44 7911 123456', '06 12 34 56 7a', '', '６１２３４５６７８'])(
    'rejects %s',
    (value) => expect(isFrenchMobile(value)).toBe(false),
  );
});

describe('fr-phone', () => {
  it.each(['01 23 45 67 89', '0472000000', '05.56.00.00.00', '09 70 00 00 00', '06 12 34 56 78', '+33 1 23 45 67 89', '0262 12 34 56', '+262 692 12 34 56'])(
    'accepts %s',
    (value) => expect(isFrenchPhone(value)).toBe(true),
  );
  it.each(['00 12 34 56 78', '1234', '01 23 45 67 8', '+33 0 1 23 45 67 89', 'abc', '01 23 45 67 89 00'])('rejects %s', (value) =>
    expect(isFrenchPhone(value)).toBe(false),
  );
});

describe('fr-postcode', () => {
  it.each(['75001', '01000', '13001', '20000', '20200', '20620', '97411', '97400', '97100', '97200', '97300', '97600', '97500', '98000', '98800', '98713', '95000'])(
    'accepts %s',
    (value) => expect(isFrenchPostcode(value)).toBe(true),
  );
  it.each([
    ['00100', 'département 00'],
    ['96000', 'département 96'],
    ['99000', 'département 99'],
    ['20700', 'hors plage de la Corse'],
    ['97700', 'outre-mer inexistant'],
    ['98100', 'outre-mer inexistant'],
    ['2A004', 'code INSEE d’Ajaccio, pas un code postal (20000)'],
    ['2B033', 'code INSEE de Bastia (20200)'],
    ['7500', 'quatre chiffres'],
    ['750011', 'six chiffres'],
  ])('rejects %s (%s)', (value) => expect(isFrenchPostcode(value)).toBe(false));
});

describe('fr-insee-commune', () => {
  it.each(['2A004', '2B033', '75056', '97411'])('accepts %s', (value) => expect(isInseeCommuneCode(value)).toBe(true));
  it.each(['2C004', '20004', '96001', '2A04'])('rejects %s', (value) => expect(isInseeCommuneCode(value)).toBe(false));
});

describe('formats inside a schema', () => {
  const form = compileForm(
    miniDefinition({
      mobile: { type: 'string', format: 'fr-mobile' },
      fixe: { type: 'string', format: 'fr-phone' },
      cp: { type: 'string', format: 'fr-postcode' },
      courriel: { type: 'string', format: 'email' },
      jour: { type: 'string', format: 'date' },
    }),
  );

  it('accepts valid values', () => {
    expect(form.validate({ mobile: '06 12 34 56 78', fixe: '01 23 45 67 89', cp: '20000', courriel: 'a.b@exemple.fr', jour: '2026-02-28' })).toMatchObject({
      valid: true,
    });
  });

  it('gives a French message on each field', () => {
    const { errors } = form.validate({ mobile: '01 23 45 67 89', fixe: '12', cp: '2A004', courriel: 'pas-un-courriel', jour: '2026-02-30' });
    expect(errors).toEqual([
      { path: '/mobile', message: 'Numéro de téléphone mobile invalide (exemple : 06 12 34 56 78).' },
      { path: '/fixe', message: 'Numéro de téléphone invalide (exemple : 01 23 45 67 89).' },
      { path: '/cp', message: 'Code postal invalide (5 chiffres, exemple : 75001).' },
      { path: '/courriel', message: 'Adresse électronique invalide (exemple : prenom.nom@exemple.fr).' },
      { path: '/jour', message: 'Date invalide (format attendu : AAAA-MM-JJ).' },
    ]);
  });
});
