import { MAX_IMPORT_BYTES, importSubscribers } from '@/domain/subscriptions/import';
import { InputError } from '@/domain/validation';
import { agentRoute } from '@/app/console/_server/route';

type Params = { tenant: string };

/**
 * Imports subscribers into a list from a CSV file sent as the body (`?liste=<slug>&fichier=<name>`; `&lignesValides=1`
 * imports the valid lines of a file that has errors). 200 with the report when imported; 400 with the report and
 * French errors (line, column) when the file had errors and nothing was imported.
 */
export const POST = agentRoute<Params>('admin', async ({ request, em, principal }) => {
  const url = new URL(request.url);
  const list = url.searchParams.get('liste') ?? '';
  if (!list) throw new InputError([{ path: '/liste', message: 'Choisissez la liste.' }]);
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_IMPORT_BYTES) throw new InputError([{ path: '', message: 'Le fichier est trop volumineux (5 Mo au plus).' }]);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_IMPORT_BYTES) throw new InputError([{ path: '', message: 'Le fichier est trop volumineux (5 Mo au plus).' }]);
  let csv: string;
  try {
    csv = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError([{ path: '', message: 'Le fichier doit être enregistré en UTF-8 (dans le tableur : « CSV UTF-8 »).' }]);
  }
  const report = await importSubscribers(em, {
    tenantId: principal.tenantId,
    agentId: principal.agentId,
    list,
    csv,
    fileName: url.searchParams.get('fichier')?.slice(0, 200) ?? undefined,
    importValidLines: url.searchParams.get('lignesValides') === '1',
  });
  if (report.committed) return Response.json(report);
  const errors = report.errors.map((e) => ({ path: `/lignes/${e.line}${e.field ? `/${e.field}` : ''}`, message: `Ligne ${e.line}${e.field ? `, ${e.field}` : ''} : ${e.message}` }));
  return Response.json({ report, errors }, { status: 400 });
});
