/** A phone number as SMS addresses it: `+33612345678` (E.164), or a short code such as `36180` kept as is. */
export function normalisePhone(input: string): string {
  const compact = input.trim().replace(/[\s.\-()]/g, '');
  if (compact.startsWith('+')) return `+${compact.slice(1).replace(/\D/g, '')}`;
  const digits = compact.replace(/\D/g, '');
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  if (/^0[1-9]\d{8}$/.test(digits)) return `+33${digits.slice(1)}`;
  // SMSCs send international numbers without the `+` (TON 1); short codes are at most 6 digits.
  if (digits.length >= 8) return `+${digits}`;
  return digits;
}

/** `+33612345678` → `06 12 34 56 78`; undefined for a number that is not French. */
export function frenchNationalPhone(phone: string): string | undefined {
  const e164 = normalisePhone(phone);
  const match = /^\+33([1-9]\d{8})$/.exec(e164);
  if (!match) return undefined;
  return `0${match[1]}`.replace(/(\d{2})(?=\d)/g, '$1 ');
}

/** The sender a tenant's SMS carry: its alphanumeric id, else its number. */
export function smsSenderOf(settings: { smsSenderId?: string; smsNumber?: string }, fallback = 'RELAIS'): string {
  return settings.smsSenderId ?? settings.smsNumber ?? fallback;
}
