import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FormDefinition, FormError } from './runtime/types';
import { validateDefinition } from './runtime/definition';
import { readJsonFile } from './json-file';

/** Folder of the definitions shipped with the product. */
export const SHIPPED_DEFINITIONS_DIR = fileURLToPath(new URL('./definitions/', import.meta.url));

/** A definition file that cannot be read, parsed or validated; `errors` point into the file. */
export class FormLoadError extends Error {
  constructor(
    readonly file: string,
    readonly errors: FormError[],
    options?: ErrorOptions,
  ) {
    super(`${file}: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`, options);
    this.name = 'FormLoadError';
  }
}

/** Reads and checks a definition file without throwing. */
export function checkDefinitionFile(file: string): { definition?: FormDefinition; errors: FormError[] } {
  const { json, errors } = readJsonFile(file);
  if (errors.length > 0) return { errors };
  const check = validateDefinition(json);
  return check.valid ? { definition: json as FormDefinition, errors: [] } : { errors: check.errors };
}

/** Loads one definition file; throws FormLoadError naming the JSON paths at fault. */
export function loadFormDefinition(file: string): FormDefinition {
  const { definition, errors } = checkDefinitionFile(file);
  if (!definition) throw new FormLoadError(file, errors);
  return definition;
}

/**
 * Loads every shipped definition, sorted by slug. Fails at start on any invalid file, on a file name
 * that differs from its slug, or on a duplicate slug: a broken form must never reach citizens.
 */
export function loadShippedForms(dir: string = SHIPPED_DEFINITIONS_DIR): FormDefinition[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
  const bySlug = new Map<string, string>();
  return files.map((name) => {
    const file = join(dir, name);
    const definition = loadFormDefinition(file);
    if (basename(name, '.json') !== definition.slug) {
      throw new FormLoadError(file, [{ path: '/slug', message: `Le slug « ${definition.slug} » doit être le nom du fichier (${name}).` }]);
    }
    const other = bySlug.get(definition.slug);
    if (other) throw new FormLoadError(file, [{ path: '/slug', message: `Le slug « ${definition.slug} » est déjà utilisé par ${other}.` }]);
    bySlug.set(definition.slug, name);
    return definition;
  });
}
