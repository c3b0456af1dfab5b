import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '@/domain/sql';
import { trackingCodeMatches } from '@/domain/tracking-code';

/** A stored PDF ready to download. */
export interface StoredDocument {
  id: string;
  kind: string;
  fileName: string;
  content: Buffer;
  sha256: string;
  public: boolean;
  createdAt: Date;
}

/** A document listed on a request, without its bytes. */
export interface DocumentSummary {
  id: string;
  kind: string;
  fileName: string;
  size: number;
  public: boolean;
  createdAt: Date;
}

interface DocumentRow {
  id: string;
  kind: string;
  file_name: string;
  content: Buffer;
  sha256: string;
  public: boolean;
  created_at: Date;
}

const DOCUMENT_COLUMNS = 'd.id, d.kind, d.file_name, d.content, d.sha256, d.public, d.created_at';

function storedDocument(row: DocumentRow): StoredDocument {
  return { id: row.id, kind: row.kind, fileName: row.file_name, content: row.content, sha256: row.sha256, public: row.public, createdAt: new Date(row.created_at) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** French names of document kinds, for lists. */
export const DOCUMENT_KIND_LABELS: Record<string, string> = {
  answer_letter: 'Courrier de réponse',
  acknowledgement: 'Accusé de réception',
  certificate: 'Document demandé',
  quality_report: 'Rapport qualité de service',
  payment_receipt: 'Reçu de paiement',
};

/** Documents of a request, newest first; `publicOnly` for what the citizen may see. */
export async function listRequestDocuments(em: EntityManager, tenantId: string, requestId: string, publicOnly: boolean): Promise<DocumentSummary[]> {
  const rows = await query<{ id: string; kind: string; file_name: string; size: number; public: boolean; created_at: Date }>(
    em,
    `select id, kind, file_name, size, public, created_at from document where tenant_id = ? and request_id = ? ${publicOnly ? 'and public' : ''} order by created_at desc`,
    [tenantId, requestId],
  );
  return rows.map((r) => ({ id: r.id, kind: r.kind, fileName: r.file_name, size: r.size, public: r.public, createdAt: new Date(r.created_at) }));
}

/** A public document of a request for whoever holds its tracking code; undefined for a wrong code, id or a private document alike. */
export async function citizenDocument(em: EntityManager, tenantSlug: string, reference: string, code: string | null, documentId: string): Promise<StoredDocument | undefined> {
  if (!code || !UUID.test(documentId)) return undefined;
  const [row] = await query<DocumentRow & { tracking_code_hash: string }>(
    em,
    `select ${DOCUMENT_COLUMNS}, r.tracking_code_hash
       from document d join request r on r.id = d.request_id join tenant t on t.id = r.tenant_id
      where t.slug = ? and r.reference = ? and d.id = ? and d.public and d.tenant_id = t.id`,
    [tenantSlug, reference, documentId],
  );
  if (!row || !trackingCodeMatches(code, row.tracking_code_hash)) return undefined;
  return storedDocument(row);
}

/** Any document of a tenant's request, for an agent whose session and role the caller has checked. */
export async function agentDocument(em: EntityManager, tenantId: string, reference: string, documentId: string): Promise<StoredDocument | undefined> {
  if (!UUID.test(documentId)) return undefined;
  const [row] = await query<DocumentRow>(
    em,
    `select ${DOCUMENT_COLUMNS}
       from document d join request r on r.id = d.request_id where d.tenant_id = ? and r.tenant_id = ? and r.reference = ? and d.id = ?`,
    [tenantId, tenantId, reference, documentId],
  );
  return row ? storedDocument(row) : undefined;
}

/** A tenant's document by the key it was produced under (a monthly report, say), for a caller that checked the role. */
export async function documentByKey(em: EntityManager, tenantId: string, idempotencyKey: string): Promise<StoredDocument | undefined> {
  const [row] = await query<DocumentRow>(em, `select ${DOCUMENT_COLUMNS} from document d where d.tenant_id = ? and d.idempotency_key = ?`, [tenantId, idempotencyKey]);
  return row ? storedDocument(row) : undefined;
}

/** A document of one request of one tenant (an e-mail's attachment); undefined when it belongs elsewhere or does not exist. */
export async function requestDocument(em: EntityManager, tenantId: string, requestId: string, documentId: string): Promise<StoredDocument | undefined> {
  if (!UUID.test(documentId)) return undefined;
  const [row] = await query<DocumentRow>(em, `select ${DOCUMENT_COLUMNS} from document d where d.tenant_id = ? and d.request_id = ? and d.id = ?`, [tenantId, requestId, documentId]);
  return row ? storedDocument(row) : undefined;
}

/** The HTTP answer carrying a PDF: downloaded, never cached by shared caches, never sniffed. */
export function pdfResponse(doc: StoredDocument): Response {
  return new Response(new Uint8Array(doc.content), {
    headers: {
      'content-type': 'application/pdf',
      'content-length': String(doc.content.length),
      'content-disposition': `attachment; filename="${doc.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
      etag: `"${doc.sha256}"`,
    },
  });
}
