import type { FormError } from './types';
import { FORBIDDEN_KEYS, escapeSegment } from './pointer';

/** Size limits applied to submitted data before any schema validation. */
export interface DataLimits {
  maxDepth: number;
  maxStringLength: number;
  maxArrayItems: number;
  maxObjectKeys: number;
  maxKeyLength: number;
  maxNodes: number;
  maxErrors: number;
}

/** Defaults sized for citizen forms; compileForm raises string / array caps when the schema allows more. */
export const DEFAULT_LIMITS: DataLimits = {
  maxDepth: 32,
  maxStringLength: 10_000,
  maxArrayItems: 1_000,
  maxObjectKeys: 500,
  maxKeyLength: 200,
  maxNodes: 50_000,
  maxErrors: 20,
};

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Walks the data iteratively (no recursion, so hostile nesting cannot overflow the stack) and
 * reports anything that is not plain, bounded JSON. Oversized arrays and strings are rejected
 * from their length alone, without visiting their content.
 */
export function inspectData(data: unknown, limits: DataLimits = DEFAULT_LIMITS): FormError[] {
  const errors: FormError[] = [];
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !isPlainObject(data)) {
    return [{ path: '', message: 'Les données du formulaire doivent être un objet JSON.' }];
  }
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: data, path: '', depth: 0 }];
  let nodes = 0;
  try {
    while (stack.length > 0 && errors.length < limits.maxErrors) {
      const { value, path, depth } = stack.pop()!;
      if (++nodes > limits.maxNodes) {
        errors.push({ path: '', message: 'Les données envoyées sont trop volumineuses.' });
        break;
      }
      switch (typeof value) {
        case 'string':
          if (value.length > limits.maxStringLength) {
            errors.push({
              path,
              message: `Le texte dépasse la longueur maximale autorisée (${limits.maxStringLength} caractères).`,
            });
          }
          continue;
        case 'number':
          if (!Number.isFinite(value)) errors.push({ path, message: 'Nombre invalide.' });
          continue;
        case 'boolean':
        case 'undefined':
          // undefined is what a browser form state holds for an untouched field; it means absent.
          continue;
        case 'object':
          break;
        default:
          errors.push({ path, message: 'Type de valeur non autorisé.' });
          continue;
      }
      if (value === null) continue;
      if (depth >= limits.maxDepth) {
        errors.push({ path, message: `Structure trop profondément imbriquée (au plus ${limits.maxDepth} niveaux).` });
        continue;
      }
      if (Array.isArray(value)) {
        if (value.length > limits.maxArrayItems) {
          errors.push({ path, message: `La liste contient trop d'éléments (au plus ${limits.maxArrayItems}).` });
          continue;
        }
        for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}/${i}`, depth: depth + 1 });
        continue;
      }
      if (!isPlainObject(value)) {
        errors.push({ path, message: 'Type de valeur non autorisé.' });
        continue;
      }
      const keys = Object.keys(value);
      if (keys.length > limits.maxObjectKeys) {
        errors.push({ path, message: `Trop de champs dans cet objet (au plus ${limits.maxObjectKeys}).` });
        continue;
      }
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i];
        const childPath = `${path}/${escapeSegment(key.slice(0, limits.maxKeyLength))}`;
        if (FORBIDDEN_KEYS.has(key)) {
          errors.push({ path: childPath, message: `Nom de champ interdit : « ${key} ».` });
        } else if (key.length > limits.maxKeyLength) {
          errors.push({ path: childPath, message: 'Nom de champ trop long.' });
        } else {
          stack.push({ value: (value as Record<string, unknown>)[key], path: childPath, depth: depth + 1 });
        }
      }
    }
  } catch {
    // Getters or proxies can throw while being read; the data is then unusable, not a server error.
    errors.push({ path: '', message: 'Les données du formulaire sont illisibles.' });
  }
  return errors;
}
