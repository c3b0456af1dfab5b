import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonFile } from '@/forms/json-file';
import { SHIPPED_FORMS } from '@/forms/shipped';
import { checkProcessDefinition } from '@/domain/processes/check';
import { withForm } from '@/domain/processes/context';
import type { StepKind } from '@/domain/processes/definition';
import { STEP_KINDS, type ProcessDefinition, type ProcessDelay, type ProcessStep, type RouteRule, type ValidationLevel } from '@/domain/processes/definition';
import schema from '@/domain/processes/definition.schema.json' with { type: 'json' };
import { demoContext } from '@/domain/processes/testing/demo-context';
import { SHIPPED_PROCESSES } from './shipped';

const DIR = import.meta.dirname;
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('shipped processes', () => {
  it('lists exactly the files of processes/, each named after its slug', () => {
    expect(SHIPPED_PROCESSES.map((p) => `${p.slug}.json`).sort()).toEqual(files);
    for (const file of files) expect(SHIPPED_PROCESSES.find((p) => p.slug === basename(file, '.json'))).toEqual(readJsonFile(`${DIR}/${file}`).json);
  });

  it.each(SHIPPED_PROCESSES.map((p) => [p.slug, p] as const))('%s is valid against the demo tenant (departments, templates, connectors)', (_slug, process) => {
    expect(checkProcessDefinition(process, demoContext()).errors).toEqual([]);
  });

  it.each(SHIPPED_FORMS.map((f) => [f.slug, f] as const))('the form %s names a shipped process that fits its fields and connector', (_slug, form) => {
    const process = SHIPPED_PROCESSES.find((p) => p.slug === form.process);
    expect(process, `process of ${form.slug}`).toBeDefined();
    expect(checkProcessDefinition(process, withForm(demoContext(), form)).errors).toEqual([]);
    expect(process!.kind).toBe(form.kind);
  });

  it('keeps the behaviour of the fixed workflow as the question process', () => {
    const question = SHIPPED_PROCESSES.find((p) => p.slug === 'question')!;
    const path: string[] = [];
    for (let step = question.steps.find((s) => s.id === question.start); step; ) {
      path.push(step.kind);
      const next: string | undefined = step.kind === 'validate' ? step.approved : step.kind === 'close' ? undefined : (step as { next?: string }).next;
      step = question.steps.find((s) => s.id === next);
    }
    expect(path).toEqual(['acknowledge', 'route', 'answer', 'validate', 'notify', 'close']);
    const validate = question.steps.find((s) => s.kind === 'validate');
    expect(validate?.kind === 'validate' && question.steps.find((s) => s.id === validate.returned)?.kind).toBe('answer');
  });

  it('routes a street report by a rule on the form data', () => {
    const report = SHIPPED_PROCESSES.find((p) => p.slug === 'signalement')!;
    const route = report.steps.find((s) => s.kind === 'route');
    expect(route?.kind === 'route' && route.rules?.length).toBeGreaterThan(0);
  });

  it('routes the street report on a field its form has, and would refuse a form without it', () => {
    const report = SHIPPED_PROCESSES.find((p) => p.slug === 'signalement')!;
    const form = SHIPPED_FORMS.find((f) => f.slug === 'signalement')!;
    const { nature, ...others } = form.schema.properties as Record<string, unknown>;
    expect(nature).toBeDefined();
    const renamed = { ...form, schema: { ...form.schema, properties: { ...others, typeProbleme: nature } } };
    const errors = checkProcessDefinition(report, withForm(demoContext(), renamed)).errors;
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.path.startsWith('/steps/1/rules/'))).toBe(true);
  });
});

// The schema mirrors the TypeScript types: the same fields, required or optional alike, for every step kind.
// The types half is checked by the compiler (an entry that disagrees with the types does not compile),
// the schema half by the test below.
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type OptionalKeys<T> = Exclude<keyof T, RequiredKeys<T>>;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Mirrors<T, F extends { required: readonly string[]; optional: readonly string[] }> =
  Equal<RequiredKeys<T>, F['required'][number]> extends true ? Equal<OptionalKeys<T>, F['optional'][number]> : false;

const BASE = ['delay', 'escalation'] as const;
const STEP_FIELDS = {
  acknowledge: { required: ['kind', 'id', 'label', 'channels', 'next'], optional: BASE },
  route: { required: ['kind', 'id', 'label', 'department', 'next'], optional: [...BASE, 'rules'] },
  answer: { required: ['kind', 'id', 'label', 'next'], optional: [...BASE, 'templates'] },
  validate: { required: ['kind', 'id', 'label', 'levels', 'approved', 'returned'], optional: BASE },
  request_information: { required: ['kind', 'id', 'label', 'timeout', 'next', 'abandoned'], optional: [...BASE, 'template', 'reminderAfter'] },
  decide: { required: ['kind', 'id', 'label', 'accepted', 'refused'], optional: BASE },
  issue_document: { required: ['kind', 'id', 'label', 'template', 'next'], optional: BASE },
  export: { required: ['kind', 'id', 'label', 'connector', 'next'], optional: BASE },
  collect_payment: { required: ['kind', 'id', 'label', 'amount', 'timeout', 'paid', 'unpaid'], optional: [...BASE, 'product', 'quantity'] },
  notify: { required: ['kind', 'id', 'label', 'template', 'channel', 'next'], optional: BASE },
  wait: { required: ['kind', 'id', 'label', 'next'], optional: [...BASE, 'duration', 'until'] },
  close: { required: ['kind', 'id', 'label', 'outcome'], optional: BASE },
} as const;
const DEFINITION_FIELDS = {
  required: ['slug', 'title', 'kind', 'guaranteedDelay', 'start', 'steps'],
  optional: ['$schema', 'description', 'escalation'],
} as const;
const DELAY_FIELDS = { required: ['delay', 'businessDays'], optional: [] } as const;
const LEVEL_FIELDS = { required: ['label'], optional: ['role', 'validators'] } as const;
const RULE_FIELDS = { required: ['when', 'department'], optional: [] } as const;

const typesAgree: { [K in StepKind]: Mirrors<Extract<ProcessStep, { kind: K }>, (typeof STEP_FIELDS)[K]> } & {
  definition: Mirrors<ProcessDefinition, typeof DEFINITION_FIELDS>;
  delay: Mirrors<ProcessDelay, typeof DELAY_FIELDS>;
  level: Mirrors<ValidationLevel, typeof LEVEL_FIELDS>;
  rule: Mirrors<RouteRule, typeof RULE_FIELDS>;
} = {
  ...(Object.fromEntries(STEP_KINDS.map((k) => [k, true])) as { [K in StepKind]: true }),
  definition: true,
  delay: true,
  level: true,
  rule: true,
};

interface SchemaObject {
  required?: string[];
  properties?: Record<string, unknown>;
  oneOf?: SchemaObject[];
}
const defs = schema.$defs as unknown as Record<string, SchemaObject>;
const fieldsOf = (node: SchemaObject) => ({ required: [...(node.required ?? [])].sort(), all: Object.keys(node.properties ?? {}).sort() });
const expected = (f: { required: readonly string[]; optional: readonly string[] }) => ({ required: [...f.required].sort(), all: [...f.required, ...f.optional].sort() });

describe('definition.schema.json mirrors domain/processes/definition.ts', () => {
  it('has the fields of the types (checked by the compiler)', () => {
    expect(Object.values(typesAgree).every((v) => v === true)).toBe(true);
  });

  it.each(STEP_KINDS.map((k) => [k] as const))('step %s: same required and optional fields', (kind) => {
    const branch = defs.step.oneOf!.find((b) => (b.properties?.kind as { const?: string }).const === kind)!;
    expect(fieldsOf(branch)).toEqual(expected(STEP_FIELDS[kind]));
  });

  it('the definition, delay, validation level and routing rule have the same fields', () => {
    expect(fieldsOf(schema as unknown as SchemaObject)).toEqual(expected(DEFINITION_FIELDS));
    expect(fieldsOf(defs.delay)).toEqual(expected(DELAY_FIELDS));
    expect(fieldsOf(defs.level)).toEqual(expected(LEVEL_FIELDS));
    const route = defs.step.oneOf!.find((b) => (b.properties?.kind as { const?: string }).const === 'route')!;
    expect(fieldsOf((route.properties!.rules as { items: SchemaObject }).items)).toEqual(expected(RULE_FIELDS));
    expect(defs.step.oneOf!.length).toBe(STEP_KINDS.length);
  });
});
