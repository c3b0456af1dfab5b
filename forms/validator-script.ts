import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import { createFormAjv } from './runtime/ajv';
import { FormDefinitionError } from './runtime/compile';
import { validateDefinition } from './runtime/definition';
import { STANDALONE_MODULES, VALIDATOR_PROPERTY } from './runtime/standalone-modules';
import type { FormDefinition } from './runtime/types';

const standaloneCode = (typeof standaloneCodeModule === 'function' ? standaloneCodeModule : (standaloneCodeModule as { default: typeof standaloneCodeModule }).default);

/**
 * The browser-side validator of one definition as a classic script: ajv's standalone code of its data schema (same
 * options, formats and ajv-errors messages as the server's ajv), run by the wizard without eval. The script leaves a
 * factory on its own element; `instantiateValidator` gives it the ajv runtime helpers and formats it requires.
 */
export function validatorScript(definition: FormDefinition): string {
  const check = validateDefinition(definition);
  if (!check.valid) throw new FormDefinitionError(String(definition?.slug), check.errors);
  const ajv = createFormAjv({ standalone: true });
  const code = standaloneCode(ajv, ajv.compile(definition.schema));
  const missing = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).filter((name) => !STANDALONE_MODULES.includes(name));
  if (missing.length > 0) throw new Error(`The validator of form "${definition.slug}" requires ${[...new Set(missing)].join(', ')}, which browsers are not given`);
  return `document.currentScript.${VALIDATOR_PROPERTY} = function (require, module) {\n${code}\n};\n`;
}
