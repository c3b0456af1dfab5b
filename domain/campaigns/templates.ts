import { InputError } from '@/domain/validation';

const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]{0,39})\s*\}\}/gi;

/** The placeholders of a template body or subject, in order of first use, without duplicates. */
export function placeholders(...texts: string[]): string[] {
  const names = texts.flatMap((text) => [...text.matchAll(PLACEHOLDER)].map((match) => match[1].toLowerCase()));
  return [...new Set(names)];
}

/** Fills `{{name}}` placeholders; a missing or empty value is a French field error under `/valeurs/<name>`. */
export function fillTemplate(text: string, values: Readonly<Record<string, string>>): string {
  const missing = placeholders(text).filter((name) => !values[name]?.trim());
  if (missing.length) throw new InputError(missing.map((name) => ({ path: `/valeurs/${name}`, message: `Renseignez « ${name} ».` })));
  return text.replace(PLACEHOLDER, (_, name: string) => values[name.toLowerCase()].trim());
}

/** Fills the placeholders that have a value and leaves the others as written: what the composer's preview shows. */
export function fillKnown(text: string, values: Readonly<Record<string, unknown>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name.toLowerCase()];
    return typeof value === 'string' && value.trim() ? value.trim() : whole;
  });
}
