/** One key per person whatever the spelling: lower-case e-mail, digits of a phone number in national form. */
export function normaliseContact(contact: string): string {
  const trimmed = contact.trim().toLowerCase();
  if (trimmed.includes('@')) return trimmed;
  const digits = trimmed.replace(/\D/g, '');
  return digits.startsWith('33') ? `0${digits.slice(2)}` : digits;
}
