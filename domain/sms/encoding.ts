/** SMPP data_coding for the GSM 03.38 default alphabet (SMSC default). */
export const DATA_CODING_GSM = 0x00;
/** SMPP data_coding for ISO-8859-1, only ever decoded (some SMSCs send MO this way). */
export const DATA_CODING_LATIN1 = 0x03;
/** SMPP data_coding for UCS-2 (UTF-16BE on the wire). */
export const DATA_CODING_UCS2 = 0x08;
/** esm_class bit saying short_message starts with a user data header. */
export const ESM_CLASS_UDHI = 0x40;

/** Septets of a single GSM message. */
export const GSM_SINGLE_LIMIT = 160;
/** Septets per segment of a concatenated GSM message. */
export const GSM_SEGMENT_LIMIT = 153;
/** UTF-16 code units of a single UCS-2 message. */
export const UCS2_SINGLE_LIMIT = 70;
/** UTF-16 code units per segment of a concatenated UCS-2 message. */
export const UCS2_SEGMENT_LIMIT = 67;
/** The UDH reference and counters are one byte each, so a message has at most 255 segments. */
export const MAX_SEGMENTS = 255;

const ESCAPE = 0x1b;

// 3GPP TS 23.038 default alphabet, index = septet. 0x09 is capital Ç: lowercase ç is NOT in GSM.
// 0x1B is the escape to the extension table, never a character of its own.
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

// Extension table: each character costs the escape septet plus this one.
const GSM_EXTENSION: ReadonlyArray<readonly [string, number]> = [
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
];

const BASIC_ENCODE = new Map<string, number>(
  [...GSM_BASIC].map((char, septet) => [char, septet] as const).filter(([, septet]) => septet !== ESCAPE),
);
const EXTENSION_ENCODE = new Map<string, number>(GSM_EXTENSION);
const EXTENSION_DECODE = new Map<number, string>(GSM_EXTENSION.map(([char, septet]) => [septet, char]));
// UTF-16 code unit → septet, with EXTENDED set for the extension table: the fast path of encodeSms.
const EXTENDED = 0x100;
const GSM_BY_CODE = new Map<number, number>([
  ...[...BASIC_ENCODE].map(([char, septet]) => [char.charCodeAt(0), septet] as const),
  ...GSM_EXTENSION.map(([char, septet]) => [char.charCodeAt(0), EXTENDED | septet] as const),
]);

/** Which alphabet a text is sent in. */
export type SmsAlphabet = 'gsm' | 'ucs2';

/** A text ready for submit_sm: one short_message payload per segment. */
export interface EncodedSms {
  alphabet: SmsAlphabet;
  dataCoding: number;
  /** short_message payloads; when split, each starts with the UDH `[5,0,3,ref,total,seq]`. */
  segments: Buffer[];
  segmentCount: number;
  /** 0x40 (UDHI) when segments carry a UDH, else 0. */
  esmClass: number;
  /** Septets (GSM) or UTF-16 code units (UCS-2) of the whole text. */
  units: number;
  /** Concatenation reference written in the UDH, undefined for a single message. */
  reference?: number;
}

/** Options of `encodeSms`. */
export interface EncodeOptions {
  /** UDH reference (0–255); pass a stable one so a retried segment joins the first attempt's. */
  reference?: number;
}

/** Septets a character costs in GSM 03.38 (1 or 2), or undefined when it is not in the alphabet. */
export function gsmSeptets(char: string): 1 | 2 | undefined {
  if (BASIC_ENCODE.has(char)) return 1;
  if (EXTENSION_ENCODE.has(char)) return 2;
  return undefined;
}

/** True when every character of the text fits the GSM 03.38 default alphabet or its extension. */
export function isGsmEncodable(text: string): boolean {
  for (const char of text) if (gsmSeptets(char) === undefined) return false;
  return true;
}

/** Encodes a text for SMPP: GSM 03.38 when every character fits, else UCS-2, split with UDH when long. */
export function encodeSms(text: string, options: EncodeOptions = {}): EncodedSms {
  const short = gsmBytes(text, GSM_SINGLE_LIMIT);
  if (short) return { alphabet: 'gsm', dataCoding: DATA_CODING_GSM, segments: [short], segmentCount: 1, esmClass: 0, units: short.length };
  const alphabet: SmsAlphabet = isGsmEncodable(text) ? 'gsm' : 'ucs2';
  const chars = [...text].map((char) => (alphabet === 'gsm' ? encodeGsmChar(char) : encodeUcs2Char(char)));
  const units = chars.reduce((sum, char) => sum + char.units, 0);
  const singleLimit = alphabet === 'gsm' ? GSM_SINGLE_LIMIT : UCS2_SINGLE_LIMIT;
  const dataCoding = alphabet === 'gsm' ? DATA_CODING_GSM : DATA_CODING_UCS2;
  if (units <= singleLimit) {
    const segments = [Buffer.concat(chars.map((char) => char.bytes))];
    return { alphabet, dataCoding, segments, segmentCount: 1, esmClass: 0, units };
  }
  const chunks = splitChars(chars, alphabet === 'gsm' ? GSM_SEGMENT_LIMIT : UCS2_SEGMENT_LIMIT);
  if (chunks.length > MAX_SEGMENTS) {
    throw new RangeError(`SMS text needs ${chunks.length} segments, more than the ${MAX_SEGMENTS} a UDH can number`);
  }
  const reference = options.reference ?? Math.floor(Math.random() * 256);
  if (!Number.isInteger(reference) || reference < 0 || reference > 255) {
    throw new RangeError(`UDH reference must be an integer from 0 to 255, got ${reference}`);
  }
  const segments = chunks.map((chunk, index) =>
    Buffer.concat([concatenationUdh(reference, chunks.length, index + 1), ...chunk.map((char) => char.bytes)]),
  );
  return { alphabet, dataCoding, segments, segmentCount: segments.length, esmClass: ESM_CLASS_UDHI, units, reference };
}

/** Encodes a GSM-encodable text as unpacked septets; throws on a character outside the alphabet. */
export function encodeGsm(text: string): Buffer {
  const bytes = gsmBytes(text, Infinity);
  if (bytes) return bytes;
  const bad = [...text].find((char) => gsmSeptets(char) === undefined) ?? '';
  throw new RangeError(`Character U+${bad.codePointAt(0)?.toString(16).toUpperCase()} is not in GSM 03.38`);
}

/** The 6-byte concatenation UDH: length 5, IEI 0 (8-bit reference), IE length 3, ref, total, seq. */
export function concatenationUdh(reference: number, total: number, sequence: number): Buffer {
  return Buffer.from([5, 0, 3, reference, total, sequence]);
}

/** Decodes unpacked GSM 03.38 septets (one per byte, as SMPP data_coding 0 carries them). */
export function decodeGsm(bytes: Buffer): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const septet = bytes[i] & 0x7f;
    if (septet === ESCAPE && i + 1 < bytes.length) {
      i++;
      // An unknown escape falls back to the basic character, as 3GPP TS 23.038 asks receivers to do.
      text += EXTENSION_DECODE.get(bytes[i] & 0x7f) ?? GSM_BASIC[bytes[i] & 0x7f];
    } else if (septet !== ESCAPE) {
      text += GSM_BASIC[septet];
    }
  }
  return text;
}

/** Decodes a short_message body (without UDH) according to its data_coding; binary bodies read as latin1. */
export function decodeSmsText(bytes: Buffer, dataCoding: number): string {
  const scheme = dataCodingScheme(dataCoding);
  if (scheme === 'gsm') return decodeGsm(bytes);
  if (scheme === 'ucs2') return decodeUtf16be(bytes);
  if (scheme === 'ascii') return bytes.toString('ascii');
  return bytes.toString('latin1');
}

/** Character set of an SMPP data_coding value, including the GSM DCS groups 0x10–0x3F and 0xF0–0xFF. */
export function dataCodingScheme(dataCoding: number): 'gsm' | 'ascii' | 'latin1' | 'ucs2' | 'binary' {
  if ((dataCoding & 0xf0) === 0xf0) return dataCoding & 0x04 ? 'binary' : 'gsm';
  if (dataCoding >= 0x10 && dataCoding < 0x40) return (['gsm', 'binary', 'ucs2', 'binary'] as const)[(dataCoding >> 2) & 0x03];
  if (dataCoding === DATA_CODING_GSM) return 'gsm';
  if (dataCoding === 0x01) return 'ascii';
  if (dataCoding === DATA_CODING_LATIN1) return 'latin1';
  if (dataCoding === DATA_CODING_UCS2) return 'ucs2';
  return 'binary';
}

interface EncodedChar {
  bytes: Buffer;
  units: number;
}

// Encoded GSM characters are immutable and few, so one shared Buffer per character saves allocations.
const GSM_CHAR_CACHE = new Map<string, EncodedChar>([
  ...[...BASIC_ENCODE].map(([char, septet]) => [char, { bytes: Buffer.from([septet]), units: 1 }] as const),
  ...GSM_EXTENSION.map(([char, septet]) => [char, { bytes: Buffer.from([ESCAPE, septet]), units: 2 }] as const),
]);

// Septets of a GSM text of at most `limit` septets, else undefined: two passes over the code units and no
// per-character objects, as most notifications are one GSM segment.
function gsmBytes(text: string, limit: number): Buffer | undefined {
  if (text.length > limit) return undefined;
  let units = 0;
  for (let i = 0; i < text.length; i++) {
    const code = GSM_BY_CODE.get(text.charCodeAt(i));
    if (code === undefined) return undefined;
    units += code & EXTENDED ? 2 : 1;
  }
  if (units > limit) return undefined;
  const bytes = Buffer.allocUnsafe(units);
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const code = GSM_BY_CODE.get(text.charCodeAt(i)) as number;
    if (code & EXTENDED) bytes[at++] = ESCAPE;
    bytes[at++] = code & 0xff;
  }
  return bytes;
}

function encodeGsmChar(char: string): EncodedChar {
  return GSM_CHAR_CACHE.get(char) as EncodedChar;
}

function encodeUcs2Char(char: string): EncodedChar {
  const bytes = Buffer.alloc(char.length * 2);
  for (let i = 0; i < char.length; i++) bytes.writeUInt16BE(char.charCodeAt(i), i * 2);
  return { bytes, units: char.length };
}

// Works on whole characters so an escape pair or a surrogate pair never straddles two segments.
function splitChars(chars: EncodedChar[], limit: number): EncodedChar[][] {
  const chunks: EncodedChar[][] = [];
  let current: EncodedChar[] = [];
  let used = 0;
  for (const char of chars) {
    if (used + char.units > limit) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(char);
    used += char.units;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function decodeUtf16be(bytes: Buffer): string {
  let text = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) text += String.fromCharCode(bytes.readUInt16BE(i));
  return text;
}
