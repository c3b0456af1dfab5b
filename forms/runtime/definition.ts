import type { ValidateFunction } from 'ajv';
import definitionSchema from '@/forms/definition.schema.json' with { type: 'json' };
import type { Condition, FormDefinition, FormError, JsonSchema, Rule, UiField } from './types';
import { createFormAjv } from './ajv';
import { toFormErrors, dedupeErrors } from './messages';
import { ruleFieldRefs } from './rules';
import { keywordAt, schemaNodesAt } from './schema-paths';
import { escapeSegment } from './pointer';
import { inspectData, type DataLimits } from './guard';

/** Definition files are written by designers, so limits are wider than for citizen data. */
const DEFINITION_LIMITS: DataLimits = {
  maxDepth: 64,
  maxStringLength: 100_000,
  maxArrayItems: 10_000,
  maxObjectKeys: 2_000,
  maxKeyLength: 200,
  maxNodes: 200_000,
  maxErrors: 20,
};

/** Result of checking a definition file; error paths are JSON pointers into the file. */
export interface DefinitionCheck {
  valid: boolean;
  errors: FormError[];
}

/** The data validator produced while checking a definition, reused by compileForm. */
export interface AnalysedDefinition extends DefinitionCheck {
  definition?: FormDefinition;
  validateData?: ValidateFunction;
}

let definitionValidator: ValidateFunction | undefined;

function validateFormat(json: unknown): FormError[] {
  definitionValidator ??= createFormAjv().compile(definitionSchema);
  if (definitionValidator(json)) return [];
  return toFormErrors(definitionValidator.errors);
}

const WIDGET_TYPES: Record<string, readonly string[]> = {
  text: ['string'],
  textarea: ['string'],
  email: ['string'],
  tel: ['string'],
  date: ['string'],
  postcode: ['string'],
  number: ['number', 'integer'],
  checkbox: ['boolean'],
  checkboxes: ['array'],
  address: ['object'],
  select: ['string', 'number', 'integer', 'boolean'],
  radio: ['string', 'number', 'integer', 'boolean'],
};

function typesOf(nodes: readonly JsonSchema[]): string[] {
  const type = keywordAt<string | string[]>(nodes, 'type');
  if (type === undefined) return [];
  return Array.isArray(type) ? type : [type];
}

function enumOf(nodes: readonly JsonSchema[]): unknown[] | undefined {
  const values = keywordAt<unknown[]>(nodes, 'enum');
  if (Array.isArray(values)) return values;
  const constant = keywordAt(nodes, 'const');
  if (constant !== undefined) return [constant];
  const items = keywordAt<JsonSchema>(nodes, 'items');
  if (items && typeof items === 'object') {
    const itemValues = items.enum;
    if (Array.isArray(itemValues)) return itemValues;
  }
  return undefined;
}

class SemanticChecker {
  readonly errors: FormError[] = [];

  constructor(private readonly definition: FormDefinition) {}

  private exists(pointer: string): boolean {
    return schemaNodesAt(this.definition.schema, pointer).length > 0;
  }

  private missingField(path: string, pointer: string): void {
    this.errors.push({ path, message: `Le champ « ${pointer} » n’existe pas dans le schéma des données.` });
  }

  private checkCondition(condition: Condition, path: string, self?: string): void {
    if ('all' in condition) condition.all.forEach((c, i) => this.checkCondition(c, `${path}/all/${i}`, self));
    else if ('any' in condition) condition.any.forEach((c, i) => this.checkCondition(c, `${path}/any/${i}`, self));
    else if ('not' in condition) this.checkCondition(condition.not, `${path}/not`, self);
    else if (!this.exists(condition.field)) this.missingField(`${path}/field`, condition.field);
    else if (self !== undefined && condition.field === self) {
      this.errors.push({ path: `${path}/field`, message: 'Un champ ne peut pas dépendre de lui-même pour son affichage.' });
    }
  }

  private checkField(field: UiField, path: string): void {
    const nodes = schemaNodesAt(this.definition.schema, field.name);
    if (nodes.length === 0) {
      this.missingField(`${path}/name`, field.name);
    } else {
      const types = typesOf(nodes);
      const allowed = WIDGET_TYPES[field.widget] ?? [];
      if (types.length > 0 && !types.some((t) => allowed.includes(t))) {
        this.errors.push({
          path: `${path}/widget`,
          message: `Le widget « ${field.widget} » ne convient pas à un champ de type « ${types.join(', ')} ».`,
        });
      }
      const values = enumOf(nodes);
      if (field.options && values) {
        field.options.forEach((option, i) => {
          if (!values.includes(option.value)) {
            this.errors.push({
              path: `${path}/options/${i}/value`,
              message: `La valeur « ${String(option.value)} » ne figure pas dans l’énumération du schéma.`,
            });
          }
        });
      }
      if ((field.widget === 'select' || field.widget === 'radio' || field.widget === 'checkboxes') && !field.options && !values) {
        this.errors.push({ path: `${path}/options`, message: 'Une liste de choix demande des options ou une énumération dans le schéma.' });
      }
    }
    if (field.showIf) this.checkCondition(field.showIf, `${path}/showIf`, field.name);
  }

  private checkRule(rule: Rule, path: string): void {
    for (const ref of ruleFieldRefs(rule)) {
      const nodes = schemaNodesAt(this.definition.schema, ref.pointer);
      if (nodes.length === 0) {
        this.missingField(`${path}/${ref.key}`, ref.pointer);
      } else if (ref.expects === 'date' && keywordAt(nodes, 'format') !== 'date') {
        this.errors.push({ path: `${path}/${ref.key}`, message: `Le champ « ${ref.pointer} » doit être une date (format « date »).` });
      } else if (ref.expects === 'number' && !typesOf(nodes).some((t) => t === 'number' || t === 'integer')) {
        this.errors.push({ path: `${path}/${ref.key}`, message: `Le champ « ${ref.pointer} » doit être un nombre.` });
      }
    }
    switch (rule.rule) {
      case 'requiredIf':
        this.checkCondition(rule.when, `${path}/when`);
        break;
      case 'ageBetween':
        if (rule.min > rule.max) this.errors.push({ path: `${path}/min`, message: 'L’âge minimum dépasse l’âge maximum.' });
        break;
      case 'dateWithinPeriods':
        if (Array.isArray(rule.periods)) {
          rule.periods.forEach(([from, to], i) => {
            if (from > to) this.errors.push({ path: `${path}/periods/${i}`, message: 'La période se termine avant de commencer.' });
          });
        }
        break;
      case 'maxByOption': {
        const values = enumOf(schemaNodesAt(this.definition.schema, rule.option));
        if (values) {
          for (const key of Object.keys(rule.limits)) {
            if (!values.map(String).includes(key)) {
              this.errors.push({
                path: `${path}/limits/${escapeSegment(key)}`,
                message: `L’option « ${key} » ne figure pas dans l’énumération de « ${rule.option} ».`,
              });
            }
          }
        }
        break;
      }
    }
  }

  run(): FormError[] {
    const { ui, schema, rules = [], workflow } = this.definition;
    const seen = new Map<string, string>();
    ui.pages.forEach((page, p) => {
      if (page.showIf) this.checkCondition(page.showIf, `/ui/pages/${p}/showIf`);
      page.fields.forEach((field, f) => {
        const path = `/ui/pages/${p}/fields/${f}`;
        const first = seen.get(field.name);
        if (first !== undefined) {
          this.errors.push({ path: `${path}/name`, message: `Le champ « ${field.name} » figure déjà dans l’interface (${first}).` });
        } else {
          seen.set(field.name, path);
        }
        this.checkField(field, path);
      });
    });
    const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
    required.forEach((name, i) => {
      if (typeof name !== 'string') return;
      const pointer = `/${escapeSegment(name)}`;
      const shown = [...seen.keys()].some((f) => f === pointer || f.startsWith(`${pointer}/`));
      if (!shown) {
        this.errors.push({ path: `/schema/required/${i}`, message: `Le champ obligatoire « ${name} » n’apparaît dans aucune page.` });
      }
    });
    rules.forEach((rule, i) => this.checkRule(rule, `/rules/${i}`));
    if (workflow.price?.byField) {
      const values = enumOf(schemaNodesAt(schema, workflow.price.byField));
      if (!this.exists(workflow.price.byField)) this.missingField('/workflow/price/byField', workflow.price.byField);
      else if (values) {
        for (const key of Object.keys(workflow.price.table ?? {})) {
          if (!values.map(String).includes(key)) {
            this.errors.push({
              path: `/workflow/price/table/${escapeSegment(key)}`,
              message: `La valeur « ${key} » ne figure pas dans l’énumération de « ${workflow.price.byField} ».`,
            });
          }
        }
      }
    }
    return this.errors;
  }
}

/** Checks the format, compiles the data schema and checks semantics; never throws on bad input. */
export function analyseDefinition(json: unknown): AnalysedDefinition {
  const unsafe = inspectData(json, DEFINITION_LIMITS);
  if (unsafe.length > 0) {
    const rootError = unsafe.find((e) => e.path === '' && e.message.startsWith('Les données du formulaire doivent'));
    return rootError ? { valid: false, errors: [{ path: '', message: 'La définition doit être un objet JSON.' }] } : { valid: false, errors: unsafe };
  }
  try {
    return analyseCheckedDefinition(json);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return { valid: false, errors: [{ path: '', message: `Définition inutilisable : ${detail}` }] };
  }
}

function analyseCheckedDefinition(json: unknown): AnalysedDefinition {
  const formatErrors = validateFormat(json);
  if (formatErrors.length > 0) return { valid: false, errors: dedupeErrors(formatErrors) };
  const definition = json as FormDefinition;
  const ajv = createFormAjv();
  if (!ajv.validateSchema(definition.schema)) {
    const errors = toFormErrors(ajv.errors).map((e) => ({ ...e, path: `/schema${e.path}` }));
    return { valid: false, errors: dedupeErrors(errors) };
  }
  let validateData: ValidateFunction;
  try {
    validateData = ajv.compile(definition.schema);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return { valid: false, errors: [{ path: '/schema', message: `Le schéma des données ne compile pas : ${detail}` }] };
  }
  const errors = new SemanticChecker(definition).run();
  if (errors.length > 0) return { valid: false, errors: dedupeErrors(errors) };
  return { valid: true, errors: [], definition, validateData };
}

/** Validates a definition file (parsed JSON) against definition.schema.json and checks its semantics. */
export function validateDefinition(json: unknown): DefinitionCheck {
  const { valid, errors } = analyseDefinition(json);
  return { valid, errors };
}
