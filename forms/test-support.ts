import type { FormDefinition, JsonSchema, Rule, UiField } from './runtime/types';

/** Builds a small valid definition around a data schema, for tests. */
export function miniDefinition(
  properties: Record<string, JsonSchema>,
  options: { required?: string[]; fields?: UiField[]; rules?: Rule[]; schema?: JsonSchema } = {},
): FormDefinition {
  const fields =
    options.fields ??
    Object.keys(properties).map((name): UiField => {
      const widget = widgetFor(properties[name]);
      const needsOptions = widget === 'checkboxes' && !(properties[name].items as JsonSchema | undefined)?.enum;
      return { name: `/${name}`, label: name, widget, ...(needsOptions ? { options: [{ value: 'x', label: 'x' }] } : {}) };
    });
  return {
    slug: 'essai',
    version: 1,
    title: 'Formulaire d’essai',
    kind: 'question',
    schema: { type: 'object', properties, ...(options.required ? { required: options.required } : {}), ...options.schema },
    ui: { pages: [{ title: 'Page', fields }] },
    rules: options.rules ?? [],
    workflow: { topic: 'essai', department: 'accueil', delay: 'P8D', businessDays: true, validation: false },
  };
}

function widgetFor(schema: JsonSchema): UiField['widget'] {
  if (schema.format === 'date') return 'date';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.type === 'boolean') return 'checkbox';
  if (schema.type === 'object') return 'address';
  if (schema.type === 'array') return 'checkboxes';
  if (Array.isArray(schema.enum)) return 'select';
  return 'text';
}

/** A fixed clock for rules that read "today" (noon, Paris summer time). */
export function fixedNow(isoDate: string): () => Date {
  return () => new Date(`${isoDate}T10:00:00Z`);
}
