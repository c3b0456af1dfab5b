import Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import addErrors from 'ajv-errors';
import localizeFr from 'ajv-i18n/localize/fr/index.js';
import { tryParsePhone } from '@/domain/contact/phone';

/** A field error as the API returns it: JSON pointer and French message. */
export interface FieldError {
  path: string;
  message: string;
}

/** Thrown for a user's mistake; the HTTP layer answers 400 with the field errors. */
export class InputError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.path || '/'}: ${e.message}`).join('; '));
  }
}

/** Thrown when a tenant, reference or other addressed thing does not exist (HTTP 404). */
export class NotFoundError extends Error {}

/** Thrown when an action is refused in the current state (HTTP 409). */
export class ConflictError extends Error {}

// strictRequired is off: `anyOf: [{ required: [...] }]` names properties declared one level up.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, coerceTypes: false, useDefaults: true });
addFormats(ajv);
addErrors(ajv);
// A number libphonenumber reads as French (overseas included) or international; stored in E.164 (domain/contact/phone).
ajv.addFormat('phone', { type: 'string', validate: (value: string) => tryParsePhone(value) !== undefined });

/** Compiles a JSON Schema once; returns a validator that throws InputError with French messages. */
export function compileValidator<T>(schema: object): (value: unknown) => T {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return value as T;
    throw new InputError(toFieldErrors(validate.errors ?? []));
  };
}

/** French field errors from ajv's, keeping custom messages written with ajv-errors. */
export function toFieldErrors(errors: ErrorObject[]): FieldError[] {
  const generic = errors.filter((e) => e.keyword !== 'errorMessage');
  localizeFr(generic);
  // ajv-i18n names the property ("requiert la propriété subject"); the path already does, so say it plainly.
  return errors.map((e) => ({ path: errorPath(e), message: e.keyword === 'required' ? 'Ce champ est obligatoire.' : (e.message ?? 'Valeur invalide.') }));
}

function errorPath(error: ErrorObject): string {
  if (error.keyword === 'required') return `${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}`;
  if (error.keyword === 'additionalProperties') return `${error.instancePath}/${(error.params as { additionalProperty: string }).additionalProperty}`;
  return error.instancePath;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a text is a UUID: ids from a URL are checked before a lookup, so PostgreSQL never sees a malformed one. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
