import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '@/domain/sql';

/** One recorded attempt, as the console shows it on the request. */
export interface ExportAttempt {
  connector: string;
  target: string;
  attempt: number;
  status: 'succeeded' | 'failed' | 'rejected';
  httpStatus: number | null;
  error: string | null;
  durationMs: number | null;
  at: Date;
}

/** Every export attempt of a request, oldest first. */
export async function listExportAttempts(em: EntityManager, tenantId: string, requestId: string): Promise<ExportAttempt[]> {
  const rows = await query<{ connector: string; target: string; attempt: number; status: ExportAttempt['status']; http_status: number | null; error: string | null; duration_ms: number | null; at: Date }>(
    em,
    'select connector, target, attempt, status, http_status, error, duration_ms, at from export_attempt where tenant_id = ? and request_id = ? order by at, attempt',
    [tenantId, requestId],
  );
  return rows.map((r) => ({ connector: r.connector, target: r.target, attempt: r.attempt, status: r.status, httpStatus: r.http_status, error: r.error, durationMs: r.duration_ms, at: new Date(r.at) }));
}
