import { erasePerson, exportPersonJson, exportPersonPdf, searchPerson, viewPerson } from '@/domain/privacy/rights';
import { NotFoundError } from '@/domain/validation';
import { renderPreviewPdf } from '@/app/console/_server/pdf';
import { agentRoute } from '@/app/console/_server/route';
import { fileDownload } from '@/app/_server/http';

type Params = { tenant: string; action: string };

/**
 * Citizens' rights, for administrators and the data protection officer: `search`, `view`, `export-json`, `export-pdf` and
 * `erase` a person given as `{email}` or `{phone}` in the body (never in the URL, which logs keep); every call is audited.
 */
export const POST = agentRoute<Params>('dpo', async ({ params, em, principal, json }) => {
  const ctx = { tenantId: principal.tenantId, agentId: principal.agentId };
  const body = await json();
  switch (params.action) {
    case 'search':
      return Response.json(await searchPerson(em, ctx, body), { headers: { 'cache-control': 'no-store' } });
    case 'view':
      return Response.json(await viewPerson(em, ctx, body), { headers: { 'cache-control': 'no-store' } });
    case 'export-json': {
      const file = await exportPersonJson(em, ctx, body);
      return fileDownload(file.content, 'application/json; charset=utf-8', file.fileName);
    }
    case 'export-pdf': {
      const file = await exportPersonPdf(em, ctx, body, renderPreviewPdf);
      return fileDownload(new Uint8Array(file.content), 'application/pdf', file.fileName);
    }
    case 'erase':
      return Response.json(await eraseResponse(await erasePerson(em, ctx, body)));
    default:
      throw new NotFoundError(`Unknown personal-data action ${params.action}`);
  }
});

function eraseResponse(result: Awaited<ReturnType<typeof erasePerson>>) {
  const requests = result.references.length;
  const messages = result.counts.messagesWithoutRequest;
  const subscriptions = result.counts.subscriptions;
  const parts = [
    requests ? `${requests} demande(s) anonymisée(s)` : '',
    messages ? `${messages} message(s) hors demande effacé(s)` : '',
    subscriptions ? `${subscriptions} abonnement(s) supprimé(s) avec leurs preuves de consentement` : '',
  ].filter(Boolean);
  return { ...result, message: parts.length ? `Données effacées : ${parts.join(', ')}.` : 'Aucune donnée à effacer pour cette personne.' };
}
