import type { FormDefinition, UiField } from './types';
import { applyVisibility, isFilled } from './conditions';
import { getAt } from './pointer';

/** One answered field, formatted for people (summary page, agent view, certificate). */
export interface AnswerLine {
  page: string;
  name: string;
  label: string;
  value: string;
}

/** Formats a postal address object as lines: street, complement, "postcode COMMUNE". */
export function addressLines(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const a = value as { ligne1?: unknown; complement?: unknown; codePostal?: unknown; commune?: unknown };
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const city = [text(a.codePostal), text(a.commune).toUpperCase()].filter(Boolean).join(' ');
  return [text(a.ligne1), text(a.complement), city].filter(Boolean);
}

/** A French rendering of one answer: option labels, Oui / Non, dd/mm/yyyy dates, address lines joined. */
export function formatAnswer(field: UiField, value: unknown): string {
  const optionLabel = (v: unknown) => field.options?.find((o) => o.value === v)?.label ?? String(v);
  if (field.widget === 'address') return addressLines(value).join(', ');
  if (Array.isArray(value)) return value.map(optionLabel).join(', ');
  if (typeof value === 'boolean' && !field.options) return value ? 'Oui' : 'Non';
  if (field.widget === 'date' && typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (m) return `${m[3]}/${m[2]}/${m[1]}`;
  }
  if (field.options) return optionLabel(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** The visible, filled answers of a submission in page order. */
export function describeAnswers(definition: FormDefinition, data: Record<string, unknown>): AnswerLine[] {
  const { data: visible, hidden } = applyVisibility(definition, structuredClone(data));
  const lines: AnswerLine[] = [];
  for (const page of definition.ui.pages) {
    for (const field of page.fields) {
      if (hidden.includes(field.name)) continue;
      const value = getAt(visible, field.name);
      if (!isFilled(value)) continue;
      lines.push({ page: page.title, name: field.name, label: field.label, value: formatAnswer(field, value) });
    }
  }
  return lines;
}
