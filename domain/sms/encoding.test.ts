import { describe, expect, it } from 'vitest';
import {
  DATA_CODING_GSM,
  DATA_CODING_UCS2,
  ESM_CLASS_UDHI,
  decodeGsm,
  decodeSmsText,
  encodeSms,
  gsmSeptets,
  isGsmEncodable,
} from './encoding.js';

const UDH_LENGTH = 6;

function gsmBody(segment: Buffer, split: boolean): string {
  return decodeGsm(split ? segment.subarray(UDH_LENGTH) : segment);
}

function ucs2Body(segment: Buffer, split: boolean): string {
  return decodeSmsText(split ? segment.subarray(UDH_LENGTH) : segment, DATA_CODING_UCS2);
}

describe('GSM 03.38 detection', () => {
  it('keeps the French letters of the default alphabet in GSM: é è ù à and capital Ç', () => {
    expect(isGsmEncodable('Réunion à la mairie, très cher élu où Ç')).toBe(true);
    expect(gsmSeptets('é')).toBe(1);
    expect(gsmSeptets('è')).toBe(1);
    expect(gsmSeptets('Ç')).toBe(1);
  });

  it('does not treat lowercase ç, ê, â, î, ô, û, œ as GSM', () => {
    for (const char of ['ç', 'ê', 'â', 'î', 'ô', 'û', 'œ']) expect(gsmSeptets(char), char).toBeUndefined();
    expect(isGsmEncodable('Reçu')).toBe(false);
  });

  it('counts the extension characters € [ ] { } \\ ~ ^ | and form feed as two septets', () => {
    for (const char of ['€', '[', ']', '{', '}', '\\', '~', '^', '|', '\f']) expect(gsmSeptets(char), char).toBe(2);
  });

  it('rejects a raw escape character and emoji', () => {
    expect(isGsmEncodable('\u001b')).toBe(false);
    expect(isGsmEncodable('Bonjour 👋')).toBe(false);
  });
});

describe('encodeSms', () => {
  it('encodes é and è in one GSM septet each, unpacked, data_coding 0', () => {
    const sms = encodeSms('éè');
    expect(sms).toMatchObject({ dataCoding: DATA_CODING_GSM, segmentCount: 1, esmClass: 0, units: 2 });
    expect([...sms.segments[0]]).toEqual([0x05, 0x04]);
  });

  it('sends ç as UCS-2 big-endian', () => {
    const sms = encodeSms('ç');
    expect(sms.dataCoding).toBe(DATA_CODING_UCS2);
    expect([...sms.segments[0]]).toEqual([0x00, 0xe7]);
  });

  it('escapes €, [ and ] with 0x1B', () => {
    const sms = encodeSms('5€[]');
    expect([...sms.segments[0]]).toEqual([0x35, 0x1b, 0x65, 0x1b, 0x3c, 0x1b, 0x3e]);
    expect(sms.units).toBe(7);
  });

  it('encodes an emoji as a surrogate pair counting two UCS-2 units', () => {
    const sms = encodeSms('👍');
    expect(sms.units).toBe(2);
    expect([...sms.segments[0]]).toEqual([0xd8, 0x3d, 0xdc, 0x4d]);
  });

  it('sends exactly 160 GSM characters as one message and 161 as two of 153 + 8', () => {
    const single = encodeSms('a'.repeat(160));
    expect(single).toMatchObject({ segmentCount: 1, esmClass: 0 });
    expect(single.segments[0]).toHaveLength(160);

    const split = encodeSms('a'.repeat(161), { reference: 42 });
    expect(split).toMatchObject({ segmentCount: 2, esmClass: ESM_CLASS_UDHI, reference: 42 });
    expect([...split.segments[0].subarray(0, UDH_LENGTH)]).toEqual([5, 0, 3, 42, 2, 1]);
    expect([...split.segments[1].subarray(0, UDH_LENGTH)]).toEqual([5, 0, 3, 42, 2, 2]);
    expect(split.segments.map((segment) => segment.length - UDH_LENGTH)).toEqual([153, 8]);
  });

  it('counts extension characters twice against the 160 limit', () => {
    expect(encodeSms('€'.repeat(80)).segmentCount).toBe(1);
    expect(encodeSms('€'.repeat(80) + 'a').segmentCount).toBe(2);
  });

  it('sends exactly 70 UCS-2 characters as one message and 71 as two of 67 + 4', () => {
    expect(encodeSms('ç'.repeat(70))).toMatchObject({ segmentCount: 1, esmClass: 0 });
    const split = encodeSms('ç'.repeat(71));
    expect(split.segmentCount).toBe(2);
    expect(split.segments.map((segment) => (segment.length - UDH_LENGTH) / 2)).toEqual([67, 4]);
  });

  it('never splits an escape sequence at a segment boundary', () => {
    const text = 'a'.repeat(152) + '€' + 'b'.repeat(10);
    const sms = encodeSms(text);
    const first = sms.segments[0].subarray(UDH_LENGTH);
    expect(first).toHaveLength(152);
    expect(first[first.length - 1]).not.toBe(0x1b);
    expect(sms.segments.map((segment) => gsmBody(segment, true)).join('')).toBe(text);
  });

  it('never splits a surrogate pair at a segment boundary', () => {
    const text = 'ç'.repeat(66) + '😀' + 'ç'.repeat(5);
    const sms = encodeSms(text);
    expect((sms.segments[0].length - UDH_LENGTH) / 2).toBe(66);
    expect(sms.segments.map((segment) => ucs2Body(segment, true)).join('')).toBe(text);
  });

  it('round-trips a long French text with € through GSM segments', () => {
    const text = 'Votre demande 42 à la mairie est traitée : 12 € à régler. '.repeat(5);
    const sms = encodeSms(text);
    expect(sms.dataCoding).toBe(DATA_CODING_GSM);
    expect(sms.segments.map((segment) => gsmBody(segment, sms.segmentCount > 1)).join('')).toBe(text);
  });

  it('refuses a text needing more than 255 segments and a reference outside one byte', () => {
    expect(() => encodeSms('a'.repeat(153 * 255 + 1))).toThrow(RangeError);
    expect(() => encodeSms('a'.repeat(200), { reference: 256 })).toThrow(RangeError);
  });
});

describe('decodeSmsText', () => {
  it('decodes GSM, UCS-2 and latin1 bodies', () => {
    expect(decodeSmsText(Buffer.from([0x05, 0x1b, 0x65]), 0x00)).toBe('é€');
    expect(decodeSmsText(Buffer.from([0x00, 0xe7, 0xd8, 0x3d, 0xdc, 0x4d]), 0x08)).toBe('ç👍');
    expect(decodeSmsText(Buffer.from([0xe7, 0xe9]), 0x03)).toBe('çé');
  });
});
