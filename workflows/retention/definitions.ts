import type { RetentionCounts } from '@/domain/privacy/retention';
import type { RetentionCategory } from '@/domain/privacy/retention-categories';

/** Rows handled per batch (one transaction each) unless a run asks for fewer. */
export const RETENTION_BATCH_SIZE = 200;

/** A tenant's retention run. `asOf`, `runId` and `from` are set by the workflow itself when it continues as new. */
export interface RetentionInput {
  tenantId: string;
  tenantSlug: string;
  /** Rows per batch (tests use small ones to see several batches). */
  batchSize?: number;
  /** Batches per activity call and activity calls per workflow run (tests use small ones to see continue-as-new). */
  batchesPerCall?: number;
  callsPerRun?: number;
  /** ISO time the cut-offs are computed from; the scheduled time by default. */
  asOf?: string;
  /** Tag of the run's audit entries; the first workflow id of the run by default. */
  runId?: string;
  /** The category to resume with after a continue-as-new. */
  from?: RetentionCategory;
}

/** What a run did, as recorded in the audit trail. */
export interface RetentionResult {
  runId: string;
  asOf: string;
  counts: RetentionCounts;
}

/** One activity call: batches of one category until nothing is due or `maxBatches` were done. */
export interface ApplyRetentionInput {
  tenantId: string;
  category: RetentionCategory;
  asOf: string;
  runId: string;
  batchSize: number;
  maxBatches: number;
}

/** What an activity call did; `more` when it stopped at `maxBatches` with rows still due. */
export interface ApplyRetentionResult {
  batches: number;
  rows: number;
  more: boolean;
}

/** Progress an activity reports in its heartbeats. */
export interface RetentionHeartbeat {
  category: RetentionCategory;
  batches: number;
  rows: number;
}

/** The id of a tenant's daily schedule; Temporal appends the scheduled time to the workflows it starts. */
export function retentionScheduleId(tenantSlug: string): string {
  return `retention:${tenantSlug}`;
}

/** The id of a retention run started by hand (operators, tests): the schedule's prefix and a label. */
export function retentionWorkflowId(tenantSlug: string, label: string): string {
  return `${retentionScheduleId(tenantSlug)}:${label}`;
}
