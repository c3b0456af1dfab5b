import type { FormDefinition, FormError, FormValidationResult, UiField } from './types';
import { analyseDefinition } from './definition';
import { DEFAULT_LIMITS, inspectData, type DataLimits } from './guard';
import { toFormErrors, dedupeErrors } from './messages';
import { applyVisibility, visibleFields } from './conditions';
import { checkRule, type RuleContext } from './rules';
import { largestKeyword } from './schema-paths';
import { isAtOrUnder } from './pointer';
import { todayInParis } from './dates';
import type { DataValidator } from './standalone-modules';

/** Options of compileForm; `now` lets tests and replays fix "today". */
export interface CompileOptions {
  now?: () => Date;
  limits?: Partial<DataLimits>;
  /**
   * The data schema's validator, generated ahead by ajv standalone from this definition (checked where it was
   * generated). The browser gets it this way: its Content-Security-Policy lets nothing compile code at run time.
   */
  validateData?: DataValidator;
}

/** A definition ready to validate submissions, in the browser or on the server. */
export interface CompiledForm {
  definition: FormDefinition;
  validate(data: unknown): FormValidationResult;
  visibleFields(data: unknown): UiField[];
}

/** Raised by compileForm for a definition that does not pass validateDefinition. */
export class FormDefinitionError extends Error {
  constructor(
    readonly slug: string,
    readonly errors: FormError[],
  ) {
    super(`Invalid form definition "${slug}": ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
    this.name = 'FormDefinitionError';
  }
}

const HARD_MAX_STRING = 1_000_000;
const HARD_MAX_ITEMS = 10_000;

/** Blank inputs send "", null or undefined; treating them as absent lets `required` catch them. */
function dropBlanks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropBlanks);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === null || child === undefined || (typeof child === 'string' && child.trim() === '')) continue;
    out[key] = dropBlanks(child);
  }
  return out;
}

function checkedValidator(definition: FormDefinition): DataValidator {
  const analysed = analyseDefinition(definition);
  if (!analysed.valid || !analysed.validateData) throw new FormDefinitionError(String(definition?.slug), analysed.errors);
  return analysed.validateData;
}

/**
 * Compiles a definition into a validator. Submitted data goes through: size and shape guard →
 * blank values dropped → values of hidden fields (`showIf` false) dropped → JSON Schema (ajv) →
 * named rules → errors on hidden fields dropped. Hence a hidden field is never required, even when
 * the schema lists it in `required`. `validate` never throws.
 */
export function compileForm(definition: FormDefinition, options: CompileOptions = {}): CompiledForm {
  const validateData = options.validateData ?? checkedValidator(definition);
  const now = options.now ?? (() => new Date());
  const limits: DataLimits = {
    ...DEFAULT_LIMITS,
    maxStringLength: Math.min(HARD_MAX_STRING, Math.max(DEFAULT_LIMITS.maxStringLength, largestKeyword(definition.schema, 'maxLength'))),
    maxArrayItems: Math.min(HARD_MAX_ITEMS, Math.max(DEFAULT_LIMITS.maxArrayItems, largestKeyword(definition.schema, 'maxItems'))),
    ...options.limits,
  };
  const fields = new Map(definition.ui.pages.flatMap((page) => page.fields.map((field) => [field.name, field] as const)));

  function validate(input: unknown): FormValidationResult {
    try {
      const unsafe = inspectData(input, limits);
      if (unsafe.length > 0) return { valid: false, errors: unsafe };
      const { data, hidden } = applyVisibility(definition, dropBlanks(input) as Record<string, unknown>);
      const errors: FormError[] = validateData(data) ? [] : toFormErrors(validateData.errors);
      const context: RuleContext = {
        data,
        today: todayInParis(now()),
        labelOf: (pointer) => fields.get(pointer)?.label ?? pointer,
        optionLabelOf: (pointer, value) => fields.get(pointer)?.options?.find((o) => o.value === value)?.label ?? String(value),
      };
      for (const rule of definition.rules ?? []) errors.push(...checkRule(rule, context));
      const shown = errors.filter((e) => !hidden.some((h) => isAtOrUnder(e.path, h)));
      return shown.length > 0 ? { valid: false, errors: dedupeErrors(shown) } : { valid: true, errors: [], data };
    } catch {
      // Defensive: the guard should make this unreachable, but a citizen must get an answer, not a 500.
      return { valid: false, errors: [{ path: '', message: 'Les données du formulaire n’ont pas pu être vérifiées.' }] };
    }
  }

  return { definition, validate, visibleFields: (data) => visibleFields(definition, data) };
}
