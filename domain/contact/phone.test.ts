import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PHONE_ERROR, PhoneError, displayPhone, parsePhone, parseSmsNumber, tryParsePhone } from './phone';

describe('parsePhone', () => {
  it('turns what citizens type into E.164', () => {
    for (const typed of ['06 12 34 56 78', '06.12.34.56.78', '06-12-34-56-78', '(06) 12 34 56 78', '+33 6 12 34 56 78', '0033 6 12 34 56 78', '+33612345678']) {
      expect(parsePhone(typed), typed).toBe('+33612345678');
    }
    expect(parsePhone('01 23 45 67 89')).toBe('+33123456789');
    expect(parsePhone('+44 7911 123456')).toBe('+447911123456');
  });

  it('places overseas numbers of the French plan in their own country code', () => {
    expect(parsePhone('0692 12 34 56')).toBe('+262692123456');
    expect(parsePhone('+33 6 92 12 34 56')).toBe('+262692123456');
    expect(parsePhone('+262 692 12 34 56')).toBe('+262692123456');
    expect(parsePhone('0590 12 34 56')).toBe('+590590123456');
    expect(parsePhone('0696 12 34 56')).toBe('+596696123456');
    expect(parsePhone('0594 12 34 56')).toBe('+594594123456');
  });

  it('refuses what is not a number with a French message', () => {
    for (const typed of ['', 'abc', '06 12 34 56', '06 12 34 56 78 90', '00 12 34 56 78', '+33 1', '06 12 34 56 7a', 'appelez le 06 12 34 56 78', '06 12 34 56 78 ext. 12', '36180']) {
      expect(() => parsePhone(typed), typed).toThrow(PhoneError);
      expect(tryParsePhone(typed), typed).toBeUndefined();
    }
    expect(() => parsePhone('abc')).toThrow(PHONE_ERROR);
  });

  it('gives valid E.164 or the French error for any string, never another exception', () => {
    const typed = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.stringMatching(/^(\+|00)?[0-9 .()\-/]{0,25}$/),
      fc.tuple(fc.constantFrom('0', '+33', '0033', '+262', '+', ''), fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 14 })).map(([prefix, digits]) => prefix + digits.join('')),
    );
    fc.assert(
      fc.property(typed, (input) => {
        try {
          const e164 = parsePhone(input);
          expect(e164).toMatch(/^\+[1-9]\d{6,14}$/);
          expect(parsePhone(e164)).toBe(e164);
        } catch (error) {
          expect(error).toBeInstanceOf(PhoneError);
          expect((error as Error).message).toBe(PHONE_ERROR);
        }
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('parseSmsNumber', () => {
  it('keeps short codes and turns long numbers into E.164', () => {
    expect(parseSmsNumber('36180')).toBe('36180');
    expect(parseSmsNumber('36 180')).toBe('36180');
    expect(parseSmsNumber('06 12 34 56 78')).toBe('+33612345678');
    expect(() => parseSmsNumber('VILLE')).toThrow(PhoneError);
  });
});

describe('displayPhone', () => {
  it('writes French and overseas numbers in pairs, others internationally', () => {
    expect(displayPhone('+33612345678')).toBe('06 12 34 56 78');
    expect(displayPhone('+262692123456')).toBe('06 92 12 34 56');
    expect(displayPhone('+447911123456')).toBe('+44 7911 123456');
    expect(displayPhone('36180')).toBe('36180');
  });
});
