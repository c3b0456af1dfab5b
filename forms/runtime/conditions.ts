import type { Condition, FormDefinition, UiField } from './types';
import { deleteAt, getAt } from './pointer';

/** A value counts as filled unless it is absent, null, blank text or an empty list. */
export function isFilled(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Evaluates a declarative condition against form data. */
export function evaluateCondition(condition: Condition, data: unknown): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, data));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, data));
  if ('not' in condition) return !evaluateCondition(condition.not, data);
  const value = getAt(data, condition.field);
  if ('equals' in condition) return sameValue(value, condition.equals);
  if ('notEquals' in condition) return !sameValue(value, condition.notEquals);
  if ('in' in condition) return condition.in.some((candidate) => sameValue(value, candidate));
  return isFilled(value) === condition.filled;
}

/** Every data pointer a condition reads. */
export function conditionFields(condition: Condition): string[] {
  if ('all' in condition) return condition.all.flatMap(conditionFields);
  if ('any' in condition) return condition.any.flatMap(conditionFields);
  if ('not' in condition) return conditionFields(condition.not);
  return [condition.field];
}

/** Result of applying conditional display to a copy of the data. */
export interface Visibility {
  /** Pointers of UI fields that are hidden for this data. */
  hidden: string[];
  /** The data with the values of hidden fields removed. */
  data: Record<string, unknown>;
}

/**
 * Applies `showIf` of pages and fields. Hidden values are removed and conditions are evaluated
 * again, so a field that depends on a hidden field is hidden too. Mutates and returns `data`.
 */
export function applyVisibility(definition: FormDefinition, data: Record<string, unknown>): Visibility {
  const hidden = new Set<string>();
  const fields = definition.ui.pages.flatMap((page) => page.fields.map((field) => ({ page, field })));
  for (let pass = 0; pass <= fields.length; pass++) {
    let changed = false;
    for (const { page, field } of fields) {
      if (hidden.has(field.name)) continue;
      const visible =
        (!page.showIf || evaluateCondition(page.showIf, data)) && (!field.showIf || evaluateCondition(field.showIf, data));
      if (!visible) {
        hidden.add(field.name);
        deleteAt(data, field.name);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return { hidden: [...hidden], data };
}

/** The UI fields to display for the current data, in page order (for the portal). */
export function visibleFields(definition: FormDefinition, data: unknown): UiField[] {
  const copy = typeof data === 'object' && data !== null ? structuredClone(data as Record<string, unknown>) : {};
  const { hidden } = applyVisibility(definition, copy);
  return definition.ui.pages.flatMap((page) => page.fields).filter((field) => !hidden.includes(field.name));
}
