import type { EntityManager } from '@mikro-orm/postgresql';
import { Tenant } from '@/domain/entities';
import { sql } from '@/domain/auth/db';
import { qualityReportDocumentKey, qualityReportDocumentPrefix } from '@/domain/dashboard/quality-report-contract';
import { documentByKey, type StoredDocument } from '@/domain/documents/store';
import { frenchMonth } from '@/domain/format/french';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';

/** A stored monthly report, without its bytes. */
export interface QualityReportSummary {
  month: string;
  label: string;
  documentId: string;
  createdAt: string;
  size: number;
}

/** What the report screens need to know of a tenant. */
export interface ReportTenant {
  id: string;
  slug: string;
  name: string;
  timeZone: string;
}

/** A tenant with its time zone; undefined when it does not exist. */
export async function reportTenant(em: EntityManager, tenantId: string): Promise<ReportTenant | undefined> {
  const tenant = await em.findOne(Tenant, tenantId, { refresh: true });
  return tenant ? { id: tenant.id, slug: tenant.slug, name: tenant.name, timeZone: tenant.settings.timeZone ?? DEFAULT_TIME_ZONE } : undefined;
}

/** Every tenant with its time zone, for the schedules. */
export async function reportTenants(em: EntityManager): Promise<ReportTenant[]> {
  const tenants = await em.find(Tenant, {}, { refresh: true, orderBy: { slug: 'asc' } });
  return tenants.map((tenant) => ({ id: tenant.id, slug: tenant.slug, name: tenant.name, timeZone: tenant.settings.timeZone ?? DEFAULT_TIME_ZONE }));
}

// Only reports produced by the report workflow carry its key; the month is read back from it.
const KEY_MONTH = /:(\d{4}-\d{2}):pdf$/;

/** The monthly reports of a tenant, newest month first. */
export async function listQualityReports(em: EntityManager, tenant: Pick<ReportTenant, 'id' | 'slug'>, limit = 36): Promise<QualityReportSummary[]> {
  const prefix = qualityReportDocumentPrefix(tenant.slug);
  const rows = await sql<{ id: string; idempotency_key: string; size: number; created_at: Date }>(
    em,
    `select id, idempotency_key, size, created_at from document
      where tenant_id = ? and kind = 'quality_report' and left(idempotency_key, ?) = ?
      order by idempotency_key desc limit ?`,
    [tenant.id, prefix.length, prefix, limit],
  );
  return rows.flatMap((r) => {
    const month = KEY_MONTH.exec(r.idempotency_key)?.[1];
    return month ? [{ month, label: frenchMonth(month), documentId: r.id, createdAt: new Date(r.created_at).toISOString(), size: r.size }] : [];
  });
}

/** The report of one month, with its PDF; undefined when it has not been produced. */
export function findQualityReport(em: EntityManager, tenant: Pick<ReportTenant, 'id' | 'slug'>, month: string): Promise<StoredDocument | undefined> {
  return documentByKey(em, tenant.id, qualityReportDocumentKey(tenant.slug, month));
}
