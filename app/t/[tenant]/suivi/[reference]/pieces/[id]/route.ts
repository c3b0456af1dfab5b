import { auditCitizenDownload } from '@/domain/audit/events';
import { readAttachment } from '@/domain/attachments/store';
import { publicRequestView, trackedRequestId } from '@/domain/tracking/public-view';
import { appContext } from '@/app/_server/context';
import { handleRoute } from '@/app/_server/http';

/** Downloads a file of a request for whoever holds its tracking code; never rendered inline, never sniffed. */
export async function GET(request: Request, { params }: { params: Promise<{ tenant: string; reference: string; id: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const { tenant, reference, id } = await params;
    const code = new URL(request.url).searchParams.get('code');
    const { orm } = await appContext();
    const em = orm.em.fork();
    await publicRequestView(em, tenant, reference, code);
    const file = await readAttachment(em, await trackedRequestId(em, tenant, reference), id);
    await auditCitizenDownload(em, tenant, reference, 'attachment', file.id);
    return new Response(new Uint8Array(file.content), {
      headers: {
        'content-type': file.type,
        'content-length': String(file.size),
        'content-disposition': `attachment; filename="${asciiName(file.name)}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, no-store',
        'referrer-policy': 'no-referrer',
      },
    });
  });
}

function asciiName(name: string): string {
  return name.normalize('NFD').replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '_') || 'piece-jointe';
}
