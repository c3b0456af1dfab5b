import { auditAgentDownload } from '@/domain/audit/events';
import { attachmentContent } from '@/domain/inbox/detail';
import { agentRoute } from '@/app/console/_server/route';

/** Downloads an attachment of a request, always as a download so it never runs in the console's origin. */
export const GET = agentRoute<{ tenant: string; reference: string; id: string }>('agent', async ({ params, em, principal }) => {
  const file = await attachmentContent(em, principal.tenantId, params.reference, params.id);
  await auditAgentDownload(em, principal, params.reference, 'attachment', params.id);
  return new Response(new Uint8Array(file.content), {
    headers: {
      'content-type': file.type,
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    },
  });
});
