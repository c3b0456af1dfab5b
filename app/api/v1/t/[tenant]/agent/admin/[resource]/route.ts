import { deleteAnswerTemplate, saveAnswerTemplate } from '@/domain/admin/answer-templates';
import { previewMessage, saveMessageTemplate } from '@/domain/admin/message-templates';
import { saveAgent } from '@/domain/admin/agents';
import { saveBranding } from '@/domain/admin/branding';
import { saveDepartment } from '@/domain/admin/departments';
import { saveTopic } from '@/domain/admin/topics';
import { saveSubscriptionList } from '@/domain/admin/lists';
import type { AdminContext } from '@/domain/admin/context';
import { saveAllowedOrigins } from '@/domain/admin/allowed-origins';
import { previewDocumentTemplate, resetDocumentTemplate, saveDocumentTemplate } from '@/domain/admin/document-templates';
import { saveRequestLimits } from '@/domain/admin/request-limits';
import { writeAudit } from '@/domain/audit/log';
import { saveOidcSettings } from '@/domain/auth/oidc';
import { saveLegal } from '@/domain/privacy/legal';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InputError, NotFoundError } from '@/domain/validation';
import { renderPreviewPdf } from '@/app/console/_server/pdf';
import { agentRoute } from '@/app/console/_server/route';

type Params = { tenant: string; resource: string };

const SAVERS: Record<string, (em: EntityManager, ctx: AdminContext, body: unknown) => Promise<void>> = {
  departments: saveDepartment,
  agents: saveAgent,
  topics: saveTopic,
  lists: saveSubscriptionList,
  'answer-templates': saveAnswerTemplate,
  'message-templates': saveMessageTemplate,
  branding: saveBranding,
  'allowed-origins': saveAllowedOrigins,
  'document-templates': saveDocumentTemplate,
  limits: saveRequestLimits,
  legal: saveLegal,
  oidc: async (em, ctx, body) => {
    const settings = await saveOidcSettings(em, ctx.tenantId, body);
    const { clientSecret: _never, ...logged } = settings;
    await writeAudit(em, { tenantId: ctx.tenantId, agentId: ctx.agentId, action: 'admin.oidc.update', target: 'oidc', data: { after: logged } });
  },
};

/**
 * Saves one administration item (create or update by its identifier); `message-preview` renders a message text and
 * `document-preview` a document template (as a PDF, with sample data) without saving.
 */
export const POST = agentRoute<Params>('admin', async ({ params, em, principal, json }) => {
  const body = await json();
  if (params.resource === 'message-preview') return Response.json(previewMessage(body));
  if (params.resource === 'document-preview') {
    const pdf = await previewDocumentTemplate(em, principal.tenantId, body, renderPreviewPdf);
    return new Response(new Uint8Array(pdf), {
      headers: { 'content-type': 'application/pdf', 'content-disposition': 'inline; filename="apercu.pdf"', 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' },
    });
  }
  const save = SAVERS[params.resource];
  if (!save) throw new NotFoundError(`Unknown admin resource ${params.resource}`);
  await save(em, { tenantId: principal.tenantId, agentId: principal.agentId }, body);
  return Response.json({ message: 'Modification enregistrée.' });
});

/** Deletes an answer template (`?slug=`), or a tenant's document template (`?name=`) so the built-in one applies again. */
export const DELETE = agentRoute<Params>('admin', async ({ request, params, em, principal }) => {
  if (params.resource === 'document-templates') {
    const name = new URL(request.url).searchParams.get('name');
    if (!name) throw new InputError([{ path: '/name', message: 'Précisez le modèle de document.' }]);
    await resetDocumentTemplate(em, { tenantId: principal.tenantId, agentId: principal.agentId }, name);
    return new Response(null, { status: 204 });
  }
  if (params.resource !== 'answer-templates') throw new NotFoundError(`Cannot delete ${params.resource}`);
  const slug = new URL(request.url).searchParams.get('slug');
  if (!slug) throw new InputError([{ path: '/slug', message: 'Précisez le modèle à supprimer.' }]);
  await deleteAnswerTemplate(em, { tenantId: principal.tenantId, agentId: principal.agentId }, slug);
  return new Response(null, { status: 204 });
});
