import ucs2lengthModule from 'ajv/dist/runtime/ucs2length.js';
import equalModule from 'ajv/dist/runtime/equal.js';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import type { ErrorObject } from 'ajv';
import { frenchFormats } from './formats';

/** What generated validators `require` for the formats: the ones the server's ajv registers (ajv-formats, then French). */
export const STANDALONE_FORMATS_MODULE = 'relais/form-formats';

/** The property of its own `<script>` element on which a served validator script leaves its factory. */
export const VALIDATOR_PROPERTY = 'relaisFormValidator';

/** A schema validator as ajv produces it (compiled on the server, or generated ahead and loaded in the browser). */
export interface DataValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** The CommonJS module ajv's standalone code is, wrapped in a function so the browser runs it without eval. */
export type ValidatorFactory = (require: (name: string) => unknown, module: { exports: unknown }) => void;

/** Bundlers hand over `exports.default` of an `__esModule` CommonJS module; Node's ESM loader the whole exports. */
function defaultExport<T>(module: T | { __esModule: true; default: T }): T {
  return module !== null && (typeof module === 'object' || typeof module === 'function') && '__esModule' in module ? (module as { default: T }).default : (module as T);
}

const modules: Record<string, unknown> = {
  'ajv/dist/runtime/ucs2length': { default: defaultExport(ucs2lengthModule) },
  'ajv/dist/runtime/equal': { default: defaultExport(equalModule) },
  [STANDALONE_FORMATS_MODULE]: { ...fullFormats, ...frenchFormats },
};

/** Modules generated validators may require: the ajv runtime helpers the form schemas use, and the formats. */
export const STANDALONE_MODULES: readonly string[] = Object.keys(modules);

function standaloneRequire(name: string): unknown {
  if (!Object.hasOwn(modules, name)) throw new Error(`A form validator requires "${name}", which is not provided`);
  return modules[name];
}

/** Runs a validator factory with the helpers it requires and returns the schema validator it exports. */
export function instantiateValidator(factory: unknown): DataValidator {
  if (typeof factory !== 'function') throw new Error('The form validator script defined no validator');
  const module: { exports: unknown } = { exports: undefined };
  (factory as ValidatorFactory)(standaloneRequire, module);
  if (typeof module.exports !== 'function') throw new Error('The form validator script exported no function');
  return module.exports as DataValidator;
}
