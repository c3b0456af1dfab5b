import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GSM_SEGMENT_LIMIT, GSM_SINGLE_LIMIT, UCS2_SEGMENT_LIMIT, UCS2_SINGLE_LIMIT, MAX_SEGMENTS, encodeSms } from './encoding';
import { smsLength } from './length';

describe('smsLength', () => {
  it('counts GSM septets, the extension table twice, and switches to UCS-2 on the first character outside the alphabet', () => {
    expect(smsLength('Bonjour à tous')).toMatchObject({ alphabet: 'gsm', units: 14, segments: 1, remaining: 146, nonGsm: [] });
    expect(smsLength('Prix : 5 €')).toMatchObject({ alphabet: 'gsm', units: 11, segments: 1 });
    expect(smsLength('Garçon')).toMatchObject({ alphabet: 'ucs2', units: 6, segments: 1, nonGsm: ['ç'] });
    expect(smsLength('« Alerte »')).toMatchObject({ alphabet: 'ucs2', nonGsm: ['«', '»'] });
  });

  it('puts the limits where the specification does: 160 / 153 septets, 70 / 67 code units', () => {
    expect(smsLength('a'.repeat(GSM_SINGLE_LIMIT))).toMatchObject({ segments: 1, remaining: 0 });
    expect(smsLength('a'.repeat(GSM_SINGLE_LIMIT + 1))).toMatchObject({ segments: 2, remaining: 2 * GSM_SEGMENT_LIMIT - 161 });
    expect(smsLength('a'.repeat(GSM_SEGMENT_LIMIT * 3))).toMatchObject({ segments: 3, remaining: 0 });
    expect(smsLength('ê'.repeat(UCS2_SINGLE_LIMIT)).segments).toBe(1);
    expect(smsLength('ê'.repeat(UCS2_SINGLE_LIMIT + 1)).segments).toBe(2);
    expect(smsLength('ê'.repeat(UCS2_SEGMENT_LIMIT * 2 + 1)).segments).toBe(3);
    // An escape pair never straddles two segments: 152 septets then '€' opens the second.
    expect(smsLength(`${'a'.repeat(152)}€${'a'.repeat(10)}`)).toMatchObject({ units: 164, segments: 2 });
  });

  it('agrees with what encodeSms sends, whatever the text (fast-check)', () => {
    const alphabet = fc.constantFrom(...'abc XYZ0123.,:;!?éèàùÇ€[]{}^~|\\\n'.split(''), 'ç', 'ê', '«', '😀', 'ô', '’');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 900 }).map((chars) => chars.join('')), (text) => {
        const length = smsLength(text);
        const encoded = encodeSms(text, { reference: 1 });
        expect(length.segments).toBe(encoded.segmentCount);
        expect(length.alphabet).toBe(encoded.alphabet);
        expect(length.units).toBe(encoded.units);
        // Segments are consistent with the length: enough room for every unit, and no segment too many.
        const [single, perSegment] = length.alphabet === 'gsm' ? [GSM_SINGLE_LIMIT, GSM_SEGMENT_LIMIT] : [UCS2_SINGLE_LIMIT, UCS2_SEGMENT_LIMIT];
        if (length.units <= single) expect(length.segments).toBe(1);
        else {
          expect(length.segments).toBeGreaterThanOrEqual(Math.ceil(length.units / perSegment));
          expect(length.segments).toBeLessThanOrEqual(Math.ceil(length.units / (perSegment - 1)));
        }
        expect(length.segments).toBeLessThanOrEqual(MAX_SEGMENTS);
      }),
      { numRuns: 300 },
    );
  });
});
