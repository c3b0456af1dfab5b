import type { ErrorObject } from 'ajv';
import localizeFr from 'ajv-i18n/localize/fr/index.js';
import type { FormError } from './types';
import { escapeSegment } from './pointer';
import { formatMessages } from './formats';

const TYPE_NAMES: Record<string, string> = {
  string: 'un texte',
  number: 'un nombre',
  integer: 'un nombre entier',
  boolean: 'oui ou non',
  object: 'un objet',
  array: 'une liste',
  null: 'vide',
};

function childPath(error: ErrorObject, property: unknown): string {
  return `${error.instancePath}/${escapeSegment(String(property))}`;
}

/** Where the citizen should see the error: on the missing or extra field itself, not its parent. */
function pathOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
    case 'dependentRequired':
      return childPath(error, error.params.missingProperty);
    case 'additionalProperties':
      return childPath(error, error.params.additionalProperty);
    case 'discriminator':
      return childPath(error, error.params.tag);
    case 'errorMessage': {
      const inner = (error.params.errors ?? []) as ErrorObject[];
      const paths = new Set(inner.map(pathOf));
      return paths.size === 1 ? [...paths][0] : error.instancePath;
    }
    default:
      return error.instancePath;
  }
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?»]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

function frenchMessage(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
    case 'dependentRequired':
      return 'Ce champ est obligatoire.';
    case 'type': {
      const types = String(error.params.type).split(',');
      return `La valeur doit être ${types.map((t) => TYPE_NAMES[t] ?? t).join(' ou ')}.`;
    }
    case 'format':
      return formatMessages[error.params.format as string] ?? sentence(error.message ?? 'Format invalide');
    case 'additionalProperties':
      return 'Champ non prévu par le formulaire.';
    case 'enum':
      return 'Choisissez l’une des valeurs proposées.';
    case 'const':
      return 'Valeur non autorisée.';
    case 'uniqueItems':
      return 'Chaque valeur ne doit figurer qu’une seule fois.';
    case 'discriminator':
      return error.params.error === 'mapping'
        ? `Valeur « ${String(error.params.tagValue)} » non reconnue.`
        : `« ${String(error.params.tag)} » doit être un texte.`;
    default:
      return sentence(error.message ?? 'Valeur invalide');
  }
}

/**
 * Turns ajv errors into form errors. Messages written with `errorMessage` in the schema (ajv-errors,
 * keyword "errorMessage") are kept as written; only the other errors go through ajv-i18n's French
 * localisation, refined for the keywords whose generic wording would confuse a citizen.
 */
export function toFormErrors(errors: readonly ErrorObject[] | null | undefined): FormError[] {
  if (!errors) return [];
  // "if" only says that "then" failed; the "then" errors themselves are reported.
  const relevant = errors.filter((e) => e.keyword !== 'if');
  localizeFr(relevant.filter((e) => e.keyword !== 'errorMessage'));
  return relevant.map((e) => ({
    path: pathOf(e),
    message: e.keyword === 'errorMessage' ? (e.message ?? '') : frenchMessage(e),
  }));
}

/** Keeps the first occurrence of each (path, message) pair and at most `max` errors. */
export function dedupeErrors(errors: readonly FormError[], max = 100): FormError[] {
  const seen = new Set<string>();
  const out: FormError[] = [];
  for (const e of errors) {
    const key = `${e.path}\u0000${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
    if (out.length >= max) break;
  }
  return out;
}
