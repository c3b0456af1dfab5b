/** The things the retention job does, in the order it does them (workflow-safe: no I/O here). */
export const RETENTION_CATEGORIES = ['documents', 'requests', 'messageLogs', 'subscriptions', 'loginAttempts', 'audit'] as const;
/** One of RETENTION_CATEGORIES. */
export type RetentionCategory = (typeof RETENTION_CATEGORIES)[number];

/** Categories that runs started before they existed do not have; the workflow adds them behind a patch. */
export const PATCHED_RETENTION_CATEGORIES: Partial<Record<RetentionCategory, string>> = { loginAttempts: 'retention-login-attempts', subscriptions: 'retention-subscriptions' };
