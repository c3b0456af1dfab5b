import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import ajvErrors from 'ajv-errors';
import { frenchFormats } from './formats';

/** Ajv configured for form data: JSON Schema 2020-12, all errors (ajv-errors needs them), French formats. */
export function createFormAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    discriminator: true,
    messages: true,
  });
  addFormats(ajv);
  ajvErrors(ajv);
  for (const [name, format] of Object.entries(frenchFormats)) ajv.addFormat(name, format);
  return ajv;
}
