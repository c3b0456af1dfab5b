/** JSON Schema object as written in a definition file. */
export type JsonSchema = { [keyword: string]: unknown };

/** Declarative condition used by `showIf` and by the `requiredIf` rule. */
export type Condition =
  | { field: string; equals: unknown }
  | { field: string; notEquals: unknown }
  | { field: string; in: unknown[] }
  | { field: string; filled: boolean }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** Widgets a process designer may use; the portal maps each one to a component. */
export type Widget =
  | 'text'
  | 'textarea'
  | 'email'
  | 'tel'
  | 'date'
  | 'number'
  | 'select'
  | 'radio'
  | 'checkbox'
  | 'checkboxes'
  | 'address'
  | 'postcode';

/** One choice of a select / radio / checkboxes widget. */
export interface FieldOption {
  value: string | number | boolean;
  label: string;
}

/** One field on a page; `name` is a JSON pointer into the form data. */
export interface UiField {
  name: string;
  label: string;
  help?: string;
  placeholder?: string;
  widget: Widget;
  options?: FieldOption[];
  autocomplete?: string;
  showIf?: Condition;
}

/** A page of the form. */
export interface UiPage {
  title: string;
  description?: string;
  showIf?: Condition;
  fields: UiField[];
}

/** A literal ISO date (YYYY-MM-DD) or "today". */
export type DateReference = string;

/** Named cross-field rules; the runtime implements each name in TypeScript. */
export type Rule =
  | { rule: 'dateBefore'; first: string; second: string; orEqual?: boolean; message?: string }
  | { rule: 'dateInFuture'; field: string; minDays?: number; maxDays?: number; message?: string }
  | { rule: 'dateInPast'; field: string; message?: string }
  | { rule: 'ageBetween'; field: string; min: number; max: number; at: string; message?: string }
  | { rule: 'requiredIf'; field: string; when: Condition; message?: string }
  | {
      rule: 'dateWithinPeriods';
      field: string;
      endField?: string;
      periods: 'schoolHolidays' | [string, string][];
      zone?: 'A' | 'B' | 'C';
      message?: string;
    }
  | { rule: 'maxByOption'; field: string; option: string; limits: Record<string, number>; message?: string };

/** Connector used to push accepted data to the department's business software. */
export type ExportOptions =
  | { connector: 'webhook'; url: string; secretSetting?: string }
  | { connector: 'file'; format: 'csv' | 'json'; directory?: string }
  | { connector: 'database'; table: string };

/** Fixed price or a price table keyed by the value of one field; amounts in euro cents. */
export interface PriceOptions {
  currency: 'EUR';
  amountCents?: number;
  byField?: string;
  table?: Record<string, number>;
}

/** Workflow options attached to the form's topic. */
export interface WorkflowOptions {
  topic: string;
  department: string;
  delay: string;
  businessDays: boolean;
  validation: boolean;
  documentTemplate?: string;
  delivery?: ('email' | 'post')[];
  export?: ExportOptions;
  price?: PriceOptions;
}

/** Kind of request the form creates (see the spec's request kinds). */
export type FormKind = 'document' | 'registration' | 'purchase' | 'question';

/** A smart-form definition file. */
export interface FormDefinition {
  $schema?: string;
  slug: string;
  version: number;
  title: string;
  description?: string;
  kind: FormKind;
  /** Slug of the process that handles its requests (a shipped one, under processes/, or the tenant's own). */
  process?: string;
  schema: JsonSchema;
  ui: { pages: UiPage[] };
  rules?: Rule[];
  workflow: WorkflowOptions;
}

/** One validation problem: a JSON pointer and a French message. */
export interface FormError {
  path: string;
  message: string;
}

/** Outcome of validating submitted data. `data` is the cleaned copy (hidden fields removed) when valid. */
export interface FormValidationResult {
  valid: boolean;
  errors: FormError[];
  data?: Record<string, unknown>;
}
