import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tryParsePhone } from '@/domain/contact/phone';
import { InputError } from '@/domain/validation';
import { auditedPerson, maskPersonKey, parsePersonKey } from './person';

const eightDigits = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 8, maxLength: 8 }).map((d) => d.join(''));

describe('a person given by phone', () => {
  it('is the same E.164 number whatever way a French mobile is written', () => {
    fc.assert(
      fc.property(eightDigits, fc.constantFrom('6', '7'), fc.constantFrom(' ', '.', '-', ''), (digits, lead, sep) => {
        // Unallocated ranges (07 0…) are refused; 06 39 and 06 90–97 are overseas mobiles (+262, +590…).
        const e164 = tryParsePhone(`0${lead}${digits}`);
        fc.pre(e164 !== undefined);
        const pairs = `0${lead}${digits}`.match(/\d{2}/g)!;
        const variants = [pairs.join(sep), `+33${lead}${digits}`, `+33 ${lead} ${digits}`, `0033${lead}${digits}`, `(0${lead}) ${digits}`];
        for (const phone of variants) expect(parsePersonKey({ phone }), phone).toEqual({ kind: 'phone', value: e164 });
      }),
    );
  });

  it('is refused in French when it is not a number', () => {
    for (const phone of ['abc', '12', '+', '06 12']) {
      expect(() => parsePersonKey({ phone }), phone).toThrow(InputError);
    }
  });
});

describe('what the audit trail keeps of a person', () => {
  it('never holds more than the first and last characters, and the same fingerprint for the same person of a tenant only', () => {
    fc.assert(
      fc.property(eightDigits, fc.uuid(), fc.uuid(), (digits, tenantA, tenantB) => {
        fc.pre(tenantA !== tenantB && tryParsePhone(`06${digits}`) === `+336${digits}`);
        const key = parsePersonKey({ phone: `06${digits}` });
        const masked = maskPersonKey(key);
        expect(masked.replace(/\D/g, '')).toBe(`336${digits.slice(-2)}`);
        const a = auditedPerson(tenantA, key);
        expect(JSON.stringify(a)).not.toContain(digits);
        expect(auditedPerson(tenantA, parsePersonKey({ phone: `+336${digits}` })).fingerprint).toBe(a.fingerprint);
        expect(auditedPerson(tenantB, key).fingerprint).not.toBe(a.fingerprint);
      }),
    );
    const email = maskPersonKey(parsePersonKey({ email: 'Jeanne.Dupont@Exemple.fr' }));
    expect(email).toBe('j•••@exemple.fr');
  });
});
