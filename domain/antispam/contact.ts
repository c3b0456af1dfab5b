import { tryParsePhone } from '@/domain/contact/phone';

/** One key per person whatever the spelling: lower-case e-mail, phone number in E.164; empty for neither. */
export function normaliseContact(contact: string): string {
  const trimmed = contact.trim().toLowerCase();
  if (trimmed.includes('@')) return trimmed;
  return tryParsePhone(trimmed) ?? '';
}
