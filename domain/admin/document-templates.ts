import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { loadTenantContext } from '@/domain/documents/data';
import type { PdfTemplate } from '@/domain/documents/pdf';
import { sampleDocumentData, templateVariables } from '@/domain/documents/samples';
import { DEFAULT_DOCUMENT_TEMPLATES, DOCUMENT_TEMPLATE_NAMES, deleteDocumentTemplate, setDocumentTemplate, type DocumentTemplateName } from '@/domain/documents/templates';
import { writeAudit } from '@/domain/audit/log';
import { DocumentTemplate } from '@/domain/entities';
import { env } from '@/domain/env';
import { InputError, NotFoundError, type FieldError } from '@/domain/validation';
import type { AdminContext } from './context';

/** French names of the built-in document templates, in the order the administration lists them. */
export const DOCUMENT_TEMPLATE_LABELS: Record<DocumentTemplateName, string> = {
  'answer-letter': 'Courrier de réponse',
  acknowledgement: 'Accusé de réception',
  certificate: 'Document demandé (attestation)',
  'quality-report': 'Rapport mensuel de qualité de service',
  'payment-receipt': 'Reçu de paiement en ligne',
};

/** Longest template content accepted, in characters (room for an inline logo, well under the 256 KiB body limit). */
export const MAX_DOCUMENT_TEMPLATE_LENGTH = 200_000;

const documentTemplateInput = z.strictObject({
  name: z.enum(DOCUMENT_TEMPLATE_NAMES, { error: 'Choisissez un modèle de document.' }),
  content: z
    .string({ error: 'Saisissez le contenu du modèle.' })
    .max(MAX_DOCUMENT_TEMPLATE_LENGTH, { error: 'Le modèle ne doit pas dépasser 200 000 caractères.', abort: true })
    .regex(/\S/, { error: 'Saisissez le contenu du modèle.', abort: true })
    .superRefine((content, ctx) => {
      const problem = templateSyntaxProblem(content);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
}, { error: 'Envoyez le nom et le contenu du modèle.' });

/** A valid document template edit. */
export type DocumentTemplateInput = z.infer<typeof documentTemplateInput>;

/** Validates a document template edit; InputError with French field errors otherwise. */
export function parseDocumentTemplate(body: unknown): DocumentTemplateInput {
  const parsed = documentTemplateInput.safeParse(body);
  if (parsed.success) return parsed.data;
  const errors: FieldError[] = parsed.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: `/${key}`, message: 'Champ inconnu.' }))
      : [{ path: issue.path.length ? `/${issue.path.join('/')}` : '', message: issue.message }],
  );
  throw new InputError(errors);
}

const HINT = 'vérifiez que chaque {{ est fermé par }} et chaque {{#bloc}} par le {{/bloc}} correspondant';

/**
 * Why a template would not render, in French; undefined when it compiles. Only the built-in helpers (if, unless, each,
 * with, lookup) exist at render time, and no partial or decorator is registered, so using one is an error now, not in a letter later.
 */
export function templateSyntaxProblem(content: string): string | undefined {
  let ast: ReturnType<typeof Handlebars.parse>;
  try {
    ast = Handlebars.parse(content);
  } catch (error) {
    return `Erreur de syntaxe Handlebars${lineOf(error)} : ${HINT}.`;
  }
  const types = new Set<string>();
  collectNodeTypes(ast, types);
  if (types.has('PartialStatement') || types.has('PartialBlockStatement')) return 'Les modèles partiels ({{> …}}) ne sont pas disponibles dans les modèles de documents.';
  if (types.has('Decorator') || types.has('DecoratorBlock')) return 'Les décorateurs ({{* …}}) ne sont pas disponibles dans les modèles de documents.';
  try {
    Handlebars.precompile(content, { knownHelpersOnly: true });
  } catch (error) {
    const helper = /unknown helper (\S+)/.exec((error as Error).message)?.[1];
    if (helper) return `Fonction inconnue « ${helper} »${lineOf(error)} : seules if, unless, each, with et lookup sont disponibles.`;
    return `Erreur de syntaxe Handlebars${lineOf(error)} : ${HINT}.`;
  }
  return undefined;
}

function lineOf(error: unknown): string {
  const line = (error as { lineNumber?: number }).lineNumber ?? Number(/on line (\d+)/.exec((error as Error).message)?.[1]);
  return line ? ` (ligne ${line})` : '';
}

function collectNodeTypes(node: unknown, types: Set<string>): void {
  if (Array.isArray(node)) for (const child of node) collectNodeTypes(child, types);
  else if (node && typeof node === 'object') {
    const { type } = node as { type?: unknown };
    if (typeof type === 'string') types.add(type);
    for (const [key, value] of Object.entries(node)) if (key !== 'loc') collectNodeTypes(value, types);
  }
}

/** A built-in document template as the administration shows it. */
export interface DocumentTemplateView {
  name: DocumentTemplateName;
  label: string;
  custom: boolean;
  content: string;
  updatedAt: string | null;
  variables: string[];
}

/** The built-in document templates with the tenant's override, when it has one. */
export async function documentTemplateOverview(em: EntityManager, tenantId: string, now = new Date()): Promise<DocumentTemplateView[]> {
  const [tenant, overrides] = await Promise.all([
    loadTenantContext(em.fork(), tenantId),
    em.find(DocumentTemplate, { tenant: tenantId }, { refresh: true }),
  ]);
  if (!tenant) throw new NotFoundError(`Unknown tenant ${tenantId}`);
  return DOCUMENT_TEMPLATE_NAMES.map((name) => {
    const own = overrides.find((o) => o.name === name);
    return {
      name,
      label: DOCUMENT_TEMPLATE_LABELS[name],
      custom: !!own,
      content: own?.content ?? DEFAULT_DOCUMENT_TEMPLATES[name].content,
      updatedAt: own ? own.updatedAt.toISOString() : null,
      variables: templateVariables(sampleDocumentData(name, tenant, now, env().PUBLIC_URL)),
    };
  });
}

// The audit trail keeps a fingerprint of each version rather than up to 200 000 characters twice per change.
function fingerprint(content: string | undefined) {
  return content === undefined ? null : { sha256: createHash('sha256').update(content).digest('hex'), length: content.length };
}

/** Saves the tenant's version of a built-in document template; the next documents use it. */
export async function saveDocumentTemplate(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = parseDocumentTemplate(body);
  await em.transactional(async (tx) => {
    const before = await tx.findOne(DocumentTemplate, { tenant: ctx.tenantId, name: input.name }, { refresh: true });
    await setDocumentTemplate(tx, ctx.tenantId, input.name, input.content);
    await writeAudit(tx, {
      tenantId: ctx.tenantId,
      agentId: ctx.agentId,
      action: before ? 'admin.document_template.update' : 'admin.document_template.create',
      target: input.name,
      data: { before: fingerprint(before?.content), after: fingerprint(input.content) },
    });
  });
}

/** Removes the tenant's version of a document template: documents use the built-in one again. */
export async function resetDocumentTemplate(em: EntityManager, ctx: AdminContext, name: string): Promise<void> {
  if (!(DOCUMENT_TEMPLATE_NAMES as readonly string[]).includes(name)) throw new InputError([{ path: '/name', message: 'Choisissez un modèle de document.' }]);
  await em.transactional(async (tx) => {
    const before = await deleteDocumentTemplate(tx, ctx.tenantId, name);
    if (before === undefined) throw new NotFoundError(`No override of ${name}`);
    await writeAudit(tx, { tenantId: ctx.tenantId, agentId: ctx.agentId, action: 'admin.document_template.delete', target: name, data: { before: fingerprint(before), after: null } });
  });
}

/** Renders a template to PDF with sample data (the tenant's letterhead, a made-up request); a template error is a field error. */
export async function previewDocumentTemplate(
  em: EntityManager,
  tenantId: string,
  body: unknown,
  render: (template: PdfTemplate, data: unknown) => Promise<Buffer>,
  now = new Date(),
): Promise<Buffer> {
  const input = parseDocumentTemplate(body);
  const tenant = await loadTenantContext(em, tenantId);
  if (!tenant) throw new NotFoundError(`Unknown tenant ${tenantId}`);
  try {
    return await render({ content: input.content }, sampleDocumentData(input.name, tenant, now, env().PUBLIC_URL));
  } catch (error) {
    // jsreport marks errors caused by the template (evaluation, timeout) as "weak"; a Chromium that cannot start is ours.
    if (!(error as { weak?: boolean }).weak) throw error;
    const timedOut = /timed? ?out/i.test((error as Error).message);
    throw new InputError([
      { path: '/content', message: timedOut ? 'Le rendu du modèle a pris trop de temps : allégez-le (images, tableaux).' : 'Le modèle n’a pas pu être mis en page : vérifiez les variables et les blocs utilisés.' },
    ]);
  }
}
