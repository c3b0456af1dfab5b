import { ParseError, parsePhoneNumberWithError, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';

/** What a citizen or an agent reads when a phone number cannot be used. */
export const PHONE_ERROR = 'Numéro de téléphone invalide (exemple : 06 12 34 56 78 ou +262 692 12 34 56).';

/** Thrown for input that is not a phone number; its message is the French PHONE_ERROR. */
export class PhoneError extends Error {
  override name = 'PhoneError';
  constructor() {
    super(PHONE_ERROR);
  }
}

// Overseas departments and communities numbered inside the French plan: `0692…` typed in France is a Réunion mobile,
// +262 692…, not +33 692….
const OVERSEAS: readonly CountryCode[] = ['RE', 'YT', 'GP', 'MQ', 'GF', 'PM', 'BL', 'MF'];
const FRENCH: ReadonlySet<string> = new Set(['FR', ...OVERSEAS]);
// Digits, a leading `+` and the separators people type; anything else (letters, an extension) is not a number.
const TYPED_PHONE = /^\+?[\d\s\u00a0\u202f.\-/()]{1,40}$/;
const SHORT_CODE = /^[1-9]\d{2,5}$/;

/**
 * A number as typed (`06 12 34 56 78`, `+33 6…`, `0033…`, `0692 12 34 56`) → E.164 (`+33612345678`, `+262692123456`).
 * National forms are French; international ones may be of any country. Throws PhoneError for anything else.
 */
export function parsePhone(input: string): string {
  const e164 = typeof input === 'string' ? e164Of(input) : undefined;
  if (!e164) throw new PhoneError();
  return e164;
}

/** E.164 of a typed number, or undefined. */
export function tryParsePhone(input: string): string | undefined {
  return typeof input === 'string' ? e164Of(input) : undefined;
}

/**
 * An SMS number as an administrator types it: a short code (`36180`) as is, else E.164.
 * Throws PhoneError for anything else.
 */
export function parseSmsNumber(input: string): string {
  const compact = typeof input === 'string' ? input.replace(/[\s.\-]/g, '') : '';
  return SHORT_CODE.test(compact) ? compact : parsePhone(input);
}

/** E.164 → how people write it: `06 12 34 56 78` for France and its overseas, `+44 7700 900123` elsewhere. */
export function displayPhone(e164: string): string {
  const phone = e164.startsWith('+') ? parsed(e164) : undefined;
  if (!phone) return e164;
  if (phone.country && FRENCH.has(phone.country)) return `0${phone.nationalNumber}`.replace(/(\d{2})(?=\d)/g, '$1 ');
  return phone.formatInternational();
}

function e164Of(input: string): string | undefined {
  const typed = input.trim();
  if (!TYPED_PHONE.test(typed)) return undefined;
  const phone = parsed(typed);
  if (!phone || phone.ext) return undefined;
  if (phone.isValid()) return phone.number;
  if (phone.countryCallingCode !== '33') return undefined;
  for (const region of OVERSEAS) {
    const overseas = parsed(`0${phone.nationalNumber}`, region);
    if (overseas?.isValid()) return overseas.number;
  }
  return undefined;
}

function parsed(text: string, region: CountryCode = 'FR'): PhoneNumber | undefined {
  try {
    return parsePhoneNumberWithError(text, region);
  } catch (error) {
    if (error instanceof ParseError) return undefined;
    throw error;
  }
}
