/** The four things the retention job does, in the order it does them (workflow-safe: no I/O here). */
export const RETENTION_CATEGORIES = ['documents', 'requests', 'messageLogs', 'audit'] as const;
/** One of RETENTION_CATEGORIES. */
export type RetentionCategory = (typeof RETENTION_CATEGORIES)[number];
