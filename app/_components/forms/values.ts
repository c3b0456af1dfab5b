import { depthError } from '@/domain/json-depth';
import { applyVisibility, evaluateCondition } from '@/forms/runtime/conditions';
import type { FormDefinition, FormError, UiField, UiPage } from '@/forms/runtime/types';

/** Hidden input that carries the answers of the previous pages from post to post (the server validates everything again). */
export const ANSWERS_FIELD = '__answers';
/** Largest carried answers accepted, in characters. */
export const MAX_ANSWERS_LENGTH = 200_000;
/** Deepest nesting of carried answers accepted (a form nests a list of objects at most). */
export const MAX_ANSWERS_DEPTH = 16;
/** Sub-fields of the address widget. */
export const ADDRESS_PARTS = [
  { key: 'ligne1', label: 'Numéro et voie', autocomplete: 'address-line1' },
  { key: 'complement', label: 'Complément d’adresse (facultatif)', autocomplete: 'address-line2' },
  { key: 'codePostal', label: 'Code postal', autocomplete: 'postal-code' },
  { key: 'commune', label: 'Commune', autocomplete: 'address-level2' },
] as const;

/** The HTML id of a field (or of one part of it): `/adresse` + `codePostal` → `champ-adresse-codePostal`. */
export function fieldId(name: string, part?: string | number): string {
  const base = `champ${name.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
  return part === undefined ? base : `${base}-${part}`;
}

function optionValue(field: UiField, raw: string): unknown {
  const option = field.options?.find((o) => String(o.value) === raw);
  return option ? option.value : raw;
}

/** Reads one page's fields from a form post, typed by widget: numbers, booleans, option values, address objects. */
export function readPageValues(page: UiPage, form: FormData): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  for (const field of page.fields) {
    const key = field.name.slice(1);
    if (field.widget === 'checkbox') values[key] = form.has(field.name);
    else if (field.widget === 'checkboxes') {
      const picked = form.getAll(field.name).filter((v): v is string => typeof v === 'string');
      if (picked.length) values[key] = picked.map((v) => optionValue(field, v));
    } else if (field.widget === 'address') {
      const address: Record<string, string> = {};
      for (const part of ADDRESS_PARTS) {
        const v = text(`${field.name}/${part.key}`);
        if (v !== undefined) address[part.key] = v;
      }
      if (Object.keys(address).length) values[key] = address;
    } else if (field.widget === 'number') {
      const v = text(field.name);
      if (v !== undefined) values[key] = /^-?\d+([.,]\d+)?$/.test(v) ? Number(v.replace(',', '.')) : v;
    } else {
      const v = text(field.name);
      if (v !== undefined) values[key] = field.options ? optionValue(field, v) : v;
    }
  }
  return values;
}

/** Previous answers plus this page's values; the page's fields are replaced, not merged, so a cleared field goes away. */
export function mergePage(answers: Record<string, unknown>, page: UiPage, values: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...answers };
  for (const field of page.fields) delete merged[field.name.slice(1)];
  return { ...merged, ...values };
}

/** Parses the carried answers; anything but a plain object becomes an empty one. */
export function parseAnswers(raw: FormDataEntryValue | null): Record<string, unknown> {
  // Deeper than any form nests: the answers travel back in the page state, whose serialisation recurses.
  if (typeof raw !== 'string' || raw.length > MAX_ANSWERS_LENGTH || depthError(raw, MAX_ANSWERS_DEPTH)) return {};
  try {
    const value = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

/** Indexes of the pages shown for these answers. */
export function visiblePages(definition: FormDefinition, answers: Record<string, unknown>): number[] {
  return definition.ui.pages.flatMap((page, index) => (!page.showIf || evaluateCondition(page.showIf, answers) ? [index] : []));
}

/** Whether a field is shown for these answers (its page and its own condition, hidden parents included). */
export function isFieldVisible(definition: FormDefinition, answers: Record<string, unknown>, name: string): boolean {
  return !applyVisibility(definition, structuredClone(answers)).hidden.includes(name);
}

/** Whether an error belongs to a field: the field itself or one of its parts. */
export function errorBelongsTo(error: FormError, field: UiField): boolean {
  return error.path === field.name || error.path.startsWith(`${field.name}/`);
}

/** Errors of one page's fields. */
export function pageErrors(page: UiPage, errors: FormError[]): FormError[] {
  return errors.filter((e) => page.fields.some((f) => errorBelongsTo(e, f)));
}

/** The page holding the first error, or undefined when no page field matches. */
export function pageOfFirstError(definition: FormDefinition, errors: FormError[]): number | undefined {
  for (const error of errors) {
    const index = definition.ui.pages.findIndex((page) => page.fields.some((f) => errorBelongsTo(error, f)));
    if (index >= 0) return index;
  }
  return undefined;
}

/** Where an error summary entry links: the part of an address, the first choice of a group, or the input. */
export function errorHref(page: UiPage, error: FormError): string | undefined {
  const field = page.fields.find((f) => errorBelongsTo(error, f));
  if (!field) return undefined;
  if (field.widget === 'address') {
    const part = error.path.slice(field.name.length + 1) || 'ligne1';
    return `#${fieldId(field.name, ADDRESS_PARTS.some((p) => p.key === part) ? part : 'ligne1')}`;
  }
  if (field.widget === 'radio' || field.widget === 'checkboxes') return `#${fieldId(field.name, 0)}`;
  return `#${fieldId(field.name)}`;
}
