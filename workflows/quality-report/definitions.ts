import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export * from '@/domain/dashboard/quality-report-contract';

/** Set by Temporal on workflows a schedule starts: the time the action was due, even when it ran late. */
export const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);
