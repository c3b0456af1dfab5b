import Ajv2020 from 'ajv/dist/2020.js';
import { _, Name } from 'ajv';
import addFormats from 'ajv-formats';
import ajvErrors from 'ajv-errors';
import { frenchFormats } from './formats';
import { STANDALONE_FORMATS_MODULE } from './standalone-modules';

/** The function generated validators call for their helpers: `standaloneRequire` in the browser, not Node's. */
const GENERATED_REQUIRE = new Name('require');

/** Options of createFormAjv. */
export interface FormAjvOptions {
  /** Keeps the generated source so `ajv/dist/standalone` can emit it; formats are then read from the module the browser provides. */
  standalone?: boolean;
}

/** Ajv configured for form data: JSON Schema 2020-12, all errors (ajv-errors needs them), French formats. */
export function createFormAjv(options: FormAjvOptions = {}): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    discriminator: true,
    messages: true,
    ...(options.standalone ? { code: { source: true, formats: _`${GENERATED_REQUIRE}(${STANDALONE_FORMATS_MODULE})` } } : {}),
  });
  addFormats(ajv);
  ajvErrors(ajv);
  for (const [name, format] of Object.entries(frenchFormats)) ajv.addFormat(name, format);
  return ajv;
}
