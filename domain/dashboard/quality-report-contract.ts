/** The monthly quality report workflow's contract: its ids, idempotency keys and input and result shapes. */

/** The report of one tenant for one month. */
export interface QualityReportInput {
  tenantId: string;
  tenantSlug: string;
  /** `YYYY-MM`, a month that has ended in the tenant's time zone. */
  month: string;
}

/** What the report workflow did: the stored PDF and how many administrators were e-mailed this time. */
export interface QualityReportResult {
  month: string;
  documentId: string;
  created: boolean;
  notified: number;
}

/** The per-tenant schedule's input: the report is for the month before the scheduled time, in the tenant's zone. */
export interface MonthlyQualityReportInput {
  tenantId: string;
  tenantSlug: string;
  timeZone: string;
}

/** What a scheduled run did: the report, or `alreadyStarted` when a run for that month exists already. */
export type MonthlyQualityReportResult = { month: string; alreadyStarted: true } | (QualityReportResult & { alreadyStarted: false });

/** The only way to name a report workflow: one per tenant and month, whoever starts it. */
export function qualityReportWorkflowId(tenantSlug: string, month: string): string {
  return `quality-report:${tenantSlug}:${month}`;
}

/** The id of a tenant's monthly schedule (Temporal appends the scheduled time to the workflows it starts). */
export function qualityReportScheduleId(tenantSlug: string): string {
  return `monthly-quality-report:${tenantSlug}`;
}

/** Beginning of the idempotency keys of a tenant's report documents. */
export function qualityReportDocumentPrefix(tenantSlug: string): string {
  return `${qualityReportWorkflowId(tenantSlug, '')}`;
}

/** Idempotency key of the PDF of a tenant's month: a second run returns the stored document. */
export function qualityReportDocumentKey(tenantSlug: string, month: string): string {
  return `${qualityReportWorkflowId(tenantSlug, month)}:pdf`;
}

/** Idempotency key of the e-mails announcing a report (one per recipient is derived from it). */
export function qualityReportMailKey(tenantSlug: string, month: string): string {
  return `${qualityReportWorkflowId(tenantSlug, month)}:mail`;
}
