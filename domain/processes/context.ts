/** Builds the names a process definition is checked against: the product's, a tenant's (from the database), a form's. */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FormDefinition, JsonSchema } from '@/forms/runtime/types';
import { escapeSegment } from '@/forms/runtime/pointer';
import { DOCUMENT_TEMPLATE_NAMES } from '@/domain/documents/templates';
import { query } from '@/domain/sql';
import type { ProcessContext } from './check';

/** Messages the product sends to citizens, which every tenant has (its own text or the default). */
export const CITIZEN_MESSAGE_TEMPLATES = ['acknowledgement', 'state_changed', 'information_requested', 'answer'] as const;

/** Export connectors the product ships (forms/definition.schema.json, `workflow.export.connector`). */
export const EXPORT_CONNECTORS = ['database', 'file', 'webhook'] as const;

/** What the product alone offers: checks a shipped process, or any process when no tenant is named. */
export function productContext(): ProcessContext {
  return {
    messageTemplates: new Set(CITIZEN_MESSAGE_TEMPLATES),
    documentTemplates: new Set(DOCUMENT_TEMPLATE_NAMES),
    connectors: new Set(EXPORT_CONNECTORS),
  };
}

/** A tenant's names: its departments, its answer templates, its own document templates, and the product's. */
export async function tenantContext(em: EntityManager, tenantId: string): Promise<ProcessContext> {
  const [departments, answers, documents] = await Promise.all([
    query<{ slug: string }>(em, 'select slug from department where tenant_id = ?', [tenantId]),
    query<{ slug: string }>(em, 'select slug from answer_template where tenant_id = ?', [tenantId]),
    query<{ name: string }>(em, 'select name from document_template where tenant_id = ?', [tenantId]),
  ]);
  const product = productContext();
  const answerTemplates = answers.map((a) => a.slug);
  return {
    ...product,
    departments: new Set(departments.map((d) => d.slug)),
    answerTemplates: new Set(answerTemplates),
    // An answer template may also be sent as is, by a `notify` step.
    messageTemplates: new Set([...CITIZEN_MESSAGE_TEMPLATES, ...answerTemplates]),
    documentTemplates: new Set([...DOCUMENT_TEMPLATE_NAMES, ...documents.map((d) => d.name)]),
  };
}

/**
 * Every property of a data schema, as JSON pointers (`/adresse`, `/adresse/commune`), through local `$ref`s and
 * allOf/anyOf/oneOf/if/then/else.
 */
export function schemaFields(root: JsonSchema): Set<string> {
  const out = new Set<string>();
  const visit = (schema: JsonSchema, prefix: string, depth: number): void => {
    if (depth > 16) return;
    const ref = schema.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as JsonSchema)[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), root);
      if (target && typeof target === 'object') visit(target as JsonSchema, prefix, depth + 1);
    }
    const properties = schema.properties as Record<string, JsonSchema> | undefined;
    if (properties && typeof properties === 'object') {
      for (const [name, child] of Object.entries(properties)) {
        const pointer = `${prefix}/${escapeSegment(name)}`;
        out.add(pointer);
        if (child && typeof child === 'object') visit(child, pointer, depth + 1);
      }
    }
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = schema[key];
      if (Array.isArray(list)) for (const branch of list as JsonSchema[]) if (branch && typeof branch === 'object') visit(branch, prefix, depth + 1);
    }
    for (const key of ['if', 'then', 'else'] as const) {
      const branch = schema[key];
      if (branch && typeof branch === 'object') visit(branch as JsonSchema, prefix, depth + 1);
    }
  };
  visit(root, '', 0);
  return out;
}

/** Adds a form: its fields for the expressions, and its export connector (the only one a process may use with it). */
export function withForm(context: ProcessContext, form: FormDefinition): ProcessContext {
  const connector = form.workflow.export?.connector;
  return {
    ...context,
    connectors: new Set(connector ? [connector] : []),
    form: { slug: form.slug, fields: schemaFields(form.schema) },
  };
}
