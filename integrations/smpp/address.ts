import { tryParsePhone } from '@/domain/contact/phone';
import type { SmppAddress } from './pdus.js';

// SMPP 3.4 §5.2.5 type of number, §5.2.6 numbering plan.
const TON_UNKNOWN = 0;
const TON_INTERNATIONAL = 1;
const TON_NATIONAL = 2;
const TON_ALPHANUMERIC = 5;
const NPI_ISDN = 1;
/** French short codes are 4–6 digits; anything from 8 digits on is a subscriber number. */
const MIN_SUBSCRIBER_DIGITS = 8;

/**
 * Relais's address (E.164 with `+`, a short code, or an alphanumeric sender id) → the SMPP address that carries it:
 * international numbers without the `+` (TON 1), short codes as they are, names as alphanumeric (TON 5).
 */
export function smppAddress(address: string): SmppAddress {
  if (/[^+\d]/.test(address)) return { ton: TON_ALPHANUMERIC, npi: TON_UNKNOWN, value: address };
  if (address.startsWith('+')) return { ton: TON_INTERNATIONAL, npi: NPI_ISDN, value: address.slice(1) };
  return { ton: TON_UNKNOWN, npi: NPI_ISDN, value: address };
}

/**
 * An SMPP address as an SMSC sends it → Relais's form: E.164 for a subscriber number, the short code or name as it is.
 * SMSCs often send international numbers with TON 0 and no `+`; a national one (`06…`) is read in the French plan.
 */
export function relaisAddress(value: string, ton: number = TON_UNKNOWN): string {
  const address = value.trim();
  if (ton === TON_ALPHANUMERIC || /[^+\d]/.test(address)) return address;
  if (address.startsWith('+')) return tryParsePhone(address) ?? address;
  const digits = address;
  if (ton === TON_INTERNATIONAL) return tryParsePhone(`+${digits}`) ?? `+${digits}`;
  if (ton === TON_NATIONAL || digits.startsWith('0')) return tryParsePhone(digits) ?? digits;
  if (digits.length >= MIN_SUBSCRIBER_DIGITS) return tryParsePhone(`+${digits}`) ?? `+${digits}`;
  return digits;
}
