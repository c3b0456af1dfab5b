import { describe, expect, it } from 'vitest';
import { hashTrackingCode, newTrackingCode, normaliseTrackingCode, trackingCodeMatches } from './tracking-code';

describe('tracking codes', () => {
  it('are 20 symbols of a 32-letter alphabet (100 bits), grouped by four', () => {
    const code = newTrackingCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
    expect(20 * Math.log2(32)).toBeGreaterThanOrEqual(80);
  });

  it('differ from one request to the next', () => {
    const codes = new Set(Array.from({ length: 2000 }, newTrackingCode));
    expect(codes.size).toBe(2000);
  });

  it('match what a citizen types: lower case, spaces, O for 0 and I or L for 1', () => {
    const stored = hashTrackingCode('7KQ2-M9XD-0000-1111-ABCD');
    expect(normaliseTrackingCode(' 7kq2 m9xd-oooo-ilil-abcd ')).toBe('7KQ2M9XD00001111ABCD');
    expect(trackingCodeMatches('7kq2m9xdoooo1l1iabcd', stored)).toBe(true);
    expect(trackingCodeMatches('7KQ2-M9XD-0000-1111-ABCE', stored)).toBe(false);
    expect(trackingCodeMatches('', stored)).toBe(false);
  });

  it('are stored as a SHA-256 hex digest, never in clear', () => {
    const code = newTrackingCode();
    const hash = hashTrackingCode(code);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(normaliseTrackingCode(code));
  });
});
