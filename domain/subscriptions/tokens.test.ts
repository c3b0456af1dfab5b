import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeMatches, confirmationCode, readLink, signLink } from './tokens';

const secret = 'b'.repeat(64);

describe('signed subscription links', () => {
  it('read back what they carry, for their own purpose only', () => {
    const id = randomUUID();
    const token = signLink('confirm', { id, attempt: 3 }, secret);
    expect(readLink('confirm', token, secret)).toEqual({ id, attempt: 3 });
    expect(readLink('unsubscribe', token, secret)).toBeUndefined();
    expect(readLink('confirm', token, 'c'.repeat(64))).toBeUndefined();
    expect(readLink('preferences', signLink('preferences', { id }, secret), secret)).toEqual({ id, attempt: undefined });
  });

  it('refuse any other string: changed characters, other attempts, garbage', () => {
    const id = randomUUID();
    const token = signLink('confirm', { id, attempt: 1 }, secret);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: token.length - 1 }), fc.constantFrom(...'abcXYZ019-_.'), (index, char) => {
        const changed = token.slice(0, index) + char + token.slice(index + 1);
        fc.pre(changed !== token);
        expect(readLink('confirm', changed, secret)).toBeUndefined();
      }),
    );
    expect(readLink('confirm', token.replace('.1.', '.2.'), secret)).toBeUndefined();
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(readLink('confirm', value, secret)).toBeUndefined();
      }),
    );
  });

  it('give six-digit codes that change with the attempt, compared in constant time', () => {
    const id = randomUUID();
    const first = confirmationCode(id, 1, secret);
    expect(first).toMatch(/^\d{6}$/);
    expect(confirmationCode(id, 1, secret)).toBe(first);
    const codes = new Set(Array.from({ length: 20 }, (_, i) => confirmationCode(id, i + 1, secret)));
    expect(codes.size).toBeGreaterThan(15);
    expect(codeMatches(` ${first.slice(0, 3)} ${first.slice(3)} `, first)).toBe(true);
    expect(codeMatches(first.slice(1), first)).toBe(false);
  });
});
