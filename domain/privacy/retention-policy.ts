/** How long a tenant keeps personal data, in whole months (the audit trail in years), per the GDPR's storage limitation. */
export interface RetentionPolicy {
  /** Closed (or rejected) requests are anonymised this many months after they were closed. */
  requestsMonths: number;
  /** Attachments and generated documents are deleted this many months after their request was closed. */
  documentsMonths: number;
  /** SMS and e-mail logs (outgoing notifications, inbound SMS and mail) are deleted after this many months. */
  messageLogsMonths: number;
  /** Audit trail entries are kept this many years, then purged by the retention job only. */
  auditYears: number;
}

/** The defaults a tenant gets until its administrator changes them. */
export const DEFAULT_RETENTION: RetentionPolicy = {
  requestsMonths: 24,
  documentsMonths: 12,
  messageLogsMonths: 12,
  auditYears: 5,
};

/** The tenant's policy: its own values where set, the defaults elsewhere. */
export function retentionPolicyOf(settings: { retention?: Partial<RetentionPolicy> } | undefined): RetentionPolicy {
  return { ...DEFAULT_RETENTION, ...(settings?.retention ?? {}) };
}

/**
 * Agents' login attempts (e-mail, IP address) are purged after 6 months, whatever the tenant's message-log delay (up to
 * 10 years, and about citizens): they serve a 15-minute lockout, and the CNIL advises 6 months to a year for such logs.
 */
export const LOGIN_ATTEMPTS_MONTHS = 6;
