import { GSM_SEGMENT_LIMIT, GSM_SINGLE_LIMIT, UCS2_SEGMENT_LIMIT, UCS2_SINGLE_LIMIT, gsmSeptets, type SmsAlphabet } from './encoding';

/** How long a text is as an SMS: its alphabet, its units and the segments it is sent in. */
export interface SmsLength {
  alphabet: SmsAlphabet;
  /** Septets (GSM 03.38, an extension character counts two) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** Units the last segment still has room for before one more segment is needed. */
  remaining: number;
  /** Characters that force UCS-2 (the first few), for the composer to replace. */
  nonGsm: string[];
}

/**
 * Measures a text as encodeSms sends it, without encoding it (no Buffer: the console's live preview runs it in the
 * browser). Splits on whole characters like encodeSms, so an escape or surrogate pair never straddles two segments.
 * Written here rather than taken from a package: none is installed, and encoding.ts already holds the GSM 03.38 table.
 */
export function smsLength(text: string): SmsLength {
  const chars = [...text];
  const nonGsm = [...new Set(chars.filter((char) => gsmSeptets(char) === undefined))];
  const alphabet: SmsAlphabet = nonGsm.length === 0 ? 'gsm' : 'ucs2';
  const costs = chars.map((char) => (alphabet === 'gsm' ? (gsmSeptets(char) as number) : char.length));
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  const single = alphabet === 'gsm' ? GSM_SINGLE_LIMIT : UCS2_SINGLE_LIMIT;
  if (units <= single) return { alphabet, units, segments: 1, remaining: single - units, nonGsm: nonGsm.slice(0, 10) };
  const limit = alphabet === 'gsm' ? GSM_SEGMENT_LIMIT : UCS2_SEGMENT_LIMIT;
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > limit) {
      segments++;
      used = 0;
    }
    used += cost;
  }
  return { alphabet, units, segments, remaining: limit - used, nonGsm: nonGsm.slice(0, 10) };
}
