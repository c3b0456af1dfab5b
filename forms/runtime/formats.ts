import type { Format } from 'ajv';

const SEPARATORS = /[ .-]/g;
const MAX_PHONE_INPUT = 30;

// These run in the browser too: a shape check without a phone library (libphonenumber's metadata would weigh some 20 kB
// gzipped in every form page). Intake parses the number on the server (domain/contact/phone), stores it in E.164, and
// its refusal comes back on the same field.
function compactPhone(value: string): string | null {
  if (value.length > MAX_PHONE_INPUT || !/^[+0-9 .-]+$/.test(value)) return null;
  return value.replace(SEPARATORS, '');
}

/** French mobile number: 06 / 07, national or +33 / 0033 form; spaces, dots and hyphens allowed. */
export function isFrenchMobile(value: string): boolean {
  const compact = compactPhone(value);
  return compact !== null && /^(?:0|\+33|0033)[67]\d{8}$/.test(compact);
}

/** French landline or mobile number (01–09), national or international form, incl. overseas prefixes. */
export function isFrenchPhone(value: string): boolean {
  const compact = compactPhone(value);
  if (compact === null) return false;
  return /^(?:0|\+33|0033)[1-9]\d{8}$/.test(compact) || /^(?:\+|00)(?:262|269|508|590|594|596)\d{9}$/.test(compact);
}

/**
 * French postal code: five digits whose prefix is a real département.
 * Corsica (2A/2B) uses 200xx–206xx; overseas uses 971–976 and 980 (Monaco), 984, 986–988.
 * INSEE commune codes such as "2A004" are not postal codes (Ajaccio is 20000).
 */
export function isFrenchPostcode(value: string): boolean {
  if (!/^\d{5}$/.test(value)) return false;
  const department = Number(value.slice(0, 2));
  if (department === 20) return /^20[0-6]/.test(value);
  if (department === 97) return /^97[1-6]/.test(value);
  if (department === 98) return /^98[04678]/.test(value);
  return department >= 1 && department <= 95;
}

/** INSEE commune code: 2 digits, 2A or 2B, then 3 digits; overseas 97x + 2 digits. */
export function isInseeCommuneCode(value: string): boolean {
  if (/^2[AB]\d{3}$/.test(value)) return true;
  if (!/^\d{5}$/.test(value)) return false;
  const department = Number(value.slice(0, 2));
  if (department === 97) return /^97[1-6]/.test(value);
  if (department === 98) return /^98[4678]/.test(value);
  return department >= 1 && department <= 95 && department !== 20;
}

/** Custom ajv formats registered on every form validator. */
export const frenchFormats: Record<string, Format> = {
  'fr-mobile': { type: 'string', validate: isFrenchMobile },
  'fr-phone': { type: 'string', validate: isFrenchPhone },
  'fr-postcode': { type: 'string', validate: isFrenchPostcode },
  'fr-insee-commune': { type: 'string', validate: isInseeCommuneCode },
};

/** French messages for format failures, friendlier than ajv-i18n's generic "doit correspondre au format". */
export const formatMessages: Record<string, string> = {
  'fr-mobile': 'Numéro de téléphone mobile invalide (exemple : 06 12 34 56 78).',
  'fr-phone': 'Numéro de téléphone invalide (exemple : 01 23 45 67 89).',
  'fr-postcode': 'Code postal invalide (5 chiffres, exemple : 75001).',
  'fr-insee-commune': 'Code commune INSEE invalide (exemple : 75056 ou 2A004).',
  email: 'Adresse électronique invalide (exemple : prenom.nom@exemple.fr).',
  date: 'Date invalide (format attendu : AAAA-MM-JJ).',
  time: 'Heure invalide (format attendu : HH:MM).',
  'date-time': 'Date et heure invalides.',
  uri: 'Adresse web invalide.',
  duration: 'Durée invalide (format ISO 8601, exemple : P8D).',
};
