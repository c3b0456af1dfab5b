import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

// Crockford-style alphabet without I, L, O, U: nothing a citizen can misread.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 20; // 20 × 5 bits = 100 bits, above the 80 bits the security policy requires.

/** A new random tracking code, grouped by four for reading: "7KQ2-M9XD-…". */
export function newTrackingCode(): string {
  const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return chars.join('').match(/.{4}/g)!.join('-');
}

/** The canonical form of a typed code: upper case, no separators, O→0 and I/L→1. */
export function normaliseTrackingCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** SHA-256 of the canonical code; the code is random enough that a slow hash adds nothing. */
export function hashTrackingCode(code: string): string {
  return createHash('sha256').update(normaliseTrackingCode(code)).digest('hex');
}

/** Constant-time comparison of a typed code with a stored hash. */
export function trackingCodeMatches(code: string, storedHash: string): boolean {
  const candidate = Buffer.from(hashTrackingCode(code), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}
