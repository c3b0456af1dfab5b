import { auditCitizenDownload } from '@/domain/audit/events';
import { citizenDocument, pdfResponse } from '@/domain/documents/store';
import { appContext } from '@/app/_server/context';
import { handleRoute } from '@/app/_server/http';
import { NotFoundError } from '@/domain/validation';

/** A public PDF of a request (answer letter, receipt, document), for whoever holds the tracking code (`?code=`). */
export async function GET(request: Request, { params }: { params: Promise<{ tenant: string; reference: string; id: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const { tenant, reference, id } = await params;
    const code = new URL(request.url).searchParams.get('code');
    const { orm } = await appContext();
    const em = orm.em.fork();
    const doc = await citizenDocument(em, tenant, reference, code, id);
    if (!doc) throw new NotFoundError('Unknown document, wrong code or private document');
    await auditCitizenDownload(em, tenant, reference, 'document', doc.id);
    return pdfResponse(doc);
  });
}
