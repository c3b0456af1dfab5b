import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { purgeExpiredAudit } from '@/domain/audit/purge';
import { Tenant } from '@/domain/entities';
import { query } from '@/domain/sql';
import { anonymiseRequests } from './anonymise';
import { LOGIN_ATTEMPTS_MONTHS, retentionPolicyOf, type RetentionPolicy } from './retention-policy';

import type { RetentionCategory } from './retention-categories';

export { RETENTION_CATEGORIES, type RetentionCategory } from './retention-categories';

/** What a retention run did, summed over its batches from the audit trail (so a repeated batch is never counted). */
export interface RetentionCounts {
  requestsAnonymised: number;
  attachmentsDeleted: number;
  documentsDeleted: number;
  notificationsDeleted: number;
  smsDeleted: number;
  smsInboundDeleted: number;
  emailInboundDeleted: number;
  loginAttemptsDeleted: number;
  auditPurged: number;
  subscriptionsDeleted: number;
  campaignRecipientsCleared: number;
}

/** One batch of one category: which tenant, up to which date, for which run (the tag of its audit entries). */
export interface RetentionBatchInput {
  tenantId: string;
  category: RetentionCategory;
  /** ISO time the run's cut-offs are computed from: every batch and every retry of a run uses the same ones. */
  asOf: string;
  runId: string;
  limit: number;
}

/** Audit actions of the batches; each carries `run` in its data. */
export const RETENTION_AUDIT_ACTIONS = {
  documents: 'retention.documents',
  messageLogs: 'retention.message_logs',
  loginAttempts: 'retention.login_attempts',
  subscriptions: 'retention.subscriptions',
  audit: 'retention.audit_purge',
  run: 'retention.run',
} as const;

const FINISHED = `('closed', 'rejected')`;

async function policyOf(em: EntityManager, tenantId: string): Promise<RetentionPolicy> {
  const settings = await em.getRepository(Tenant).settingsOf(tenantId);
  if (!settings) throw new Error(`Unknown tenant ${tenantId}`);
  return retentionPolicyOf(settings);
}

/**
 * Processes at most `limit` rows of one category that are due, in one transaction with the audit entry that counts
 * them (written only when something was done): a batch cut off by a crash leaves nothing behind, and the next attempt
 * finds only what is still due. Returns how many rows were handled; 0 means nothing of that category is due any more.
 */
export async function retentionBatch(em: EntityManager, input: RetentionBatchInput): Promise<number> {
  const policy = await policyOf(em, input.tenantId);
  const { tenantId, asOf, runId, limit } = input;
  switch (input.category) {
    case 'requests': {
      const due = await query<{ id: string }>(
        em,
        `select id from request where tenant_id = ? and state in ${FINISHED} and anonymised_at is null
            and closed_at < ?::timestamptz - make_interval(months => ?) order by closed_at, id limit ?`,
        [tenantId, asOf, policy.requestsMonths, limit],
      );
      if (!due.length) return 0;
      await anonymiseRequests(em, tenantId, due.map((r) => r.id), { reason: 'retention', agentId: null, runId });
      return due.length;
    }
    case 'documents':
      return em.transactional(async (tx) => {
        const closedBefore = [tenantId, asOf, policy.documentsMonths];
        const doomed = (table: 'attachment' | 'document', max: number) =>
          query(
            tx,
            `delete from ${table} where id in (
               select f.id from ${table} f join request r on r.id = f.request_id
                where f.tenant_id = ? and r.tenant_id = f.tenant_id and r.state in ${FINISHED} and r.closed_at < ?::timestamptz - make_interval(months => ?)
                limit ?) returning id`,
            [...closedBefore, max],
          );
        const attachments = (await doomed('attachment', limit)).length;
        const documents = attachments < limit ? (await doomed('document', limit - attachments)).length : 0;
        if (attachments + documents) await writeAudit(tx, { tenantId, action: RETENTION_AUDIT_ACTIONS.documents, data: { run: runId, attachments, documents } });
        return attachments + documents;
      });
    case 'messageLogs':
      return em.transactional(async (tx) => {
        // Logs of a request still open stay with it: its workflow may still look its messages up by idempotency key.
        const settled = `(request_id is null or request_id in (select id from request where tenant_id = ? and state in ${FINISHED}))`;
        const cutoff = [tenantId, asOf, policy.messageLogsMonths];
        const notifications = (
          await query(
            tx,
            `delete from notification where id in (select id from notification where tenant_id = ? and created_at < ?::timestamptz - make_interval(months => ?)
               and ${settled} limit ?) returning id`,
            [...cutoff, tenantId, limit],
          )
        ).length;
        let left = limit - notifications;
        // Segments and receipts have no foreign key to cascade through (see Migration2026112908SmsForeignKeys).
        const sms = left
          ? (
              await query(
                tx,
                `with doomed as (select id from sms_message where tenant_id = ? and created_at < ?::timestamptz - make_interval(months => ?) and ${settled} limit ?),
                      segments as (delete from sms_segment where sms_message_id in (select id from doomed) returning smsc_message_id),
                      receipts as (delete from sms_receipt where smsc_message_id in (select smsc_message_id from segments))
                 delete from sms_message where id in (select id from doomed) returning id`,
                [...cutoff, tenantId, left],
              )
            ).length
          : 0;
        left -= sms;
        // Received SMS and e-mails: the same cut-off on their arrival time.
        const received = async (table: 'sms_inbound' | 'inbound_email') =>
          left
            ? (
                await query(
                  tx,
                  `delete from ${table} where id in (select id from ${table} where tenant_id = ? and received_at < ?::timestamptz - make_interval(months => ?)
                     and ${settled} limit ?) returning id`,
                  [...cutoff, tenantId, left],
                )
              ).length
            : 0;
        const smsInbound = await received('sms_inbound');
        left -= smsInbound;
        const emailInbound = await received('inbound_email');
        const total = notifications + sms + smsInbound + emailInbound;
        if (total) await writeAudit(tx, { tenantId, action: RETENTION_AUDIT_ACTIONS.messageLogs, data: { run: runId, notifications, smsMessages: sms, smsInbound, emailInbound } });
        return total;
      });
    case 'subscriptions':
      return em.transactional(async (tx) => {
        const cutoff = [tenantId, asOf, policy.messageLogsMonths];
        // Withdrawn subscriptions, and requests never confirmed, past the message-log delay: their consent trails go with them.
        const subscriptions = (
          await query(
            tx,
            `delete from subscription where id in (select id from subscription where tenant_id = ? and (
               (status = 'unsubscribed' and unsubscribed_at < ?::timestamptz - make_interval(months => ?))
               or (status = 'pending' and created_at < ?::timestamptz - make_interval(months => ?))) limit ?) returning id`,
            [tenantId, asOf, policy.messageLogsMonths, asOf, policy.messageLogsMonths, limit],
          )
        ).length;
        let left = limit - subscriptions;
        // An address left on no list is no subscriber any more.
        const subscribers = left
          ? (
              await query(
                tx,
                `delete from subscriber p where p.id in (select p2.id from subscriber p2 where p2.tenant_id = ? and p2.created_at < ?::timestamptz - make_interval(months => ?)
                   and not exists (select 1 from subscription s where s.subscriber_id = p2.id) limit ?) returning p.id`,
                [...cutoff, left],
              )
            ).length
          : 0;
        left -= subscribers;
        // Campaign reports keep their lines and counts; the addresses go with the message logs' delay after the campaign ended.
        const recipients = left
          ? (
              await query(
                tx,
                `update campaign_recipient r set address = '' where (r.campaign_id, r.position) in (
                   select r2.campaign_id, r2.position from campaign_recipient r2 join campaign c on c.id = r2.campaign_id
                    where c.tenant_id = ? and c.finished_at < ?::timestamptz - make_interval(months => ?) and r2.address <> '' limit ?) returning r.position`,
                [...cutoff, left],
              )
            ).length
          : 0;
        const total = subscriptions + subscribers + recipients;
        if (total) await writeAudit(tx, { tenantId, action: RETENTION_AUDIT_ACTIONS.subscriptions, data: { run: runId, subscriptions, subscribers, campaignRecipients: recipients } });
        return total;
      });
    case 'loginAttempts':
      return em.transactional(async (tx) => {
        const deleted = (
          await query(
            tx,
            `delete from login_attempt where id in (select id from login_attempt where tenant_id = ? and at < ?::timestamptz - make_interval(months => ?) limit ?) returning id`,
            [tenantId, asOf, LOGIN_ATTEMPTS_MONTHS, limit],
          )
        ).length;
        if (deleted) await writeAudit(tx, { tenantId, action: RETENTION_AUDIT_ACTIONS.loginAttempts, data: { run: runId, loginAttempts: deleted } });
        return deleted;
      });
    case 'audit':
      return purgeExpiredAudit(em, tenantId, policy.auditYears, limit, async (tx, purged) => {
        if (purged) await writeAudit(tx, { tenantId, action: RETENTION_AUDIT_ACTIONS.audit, data: { run: runId, purged } });
      });
  }
}

/** Zero counts. */
export function noRetention(): RetentionCounts {
  return {
    requestsAnonymised: 0,
    attachmentsDeleted: 0,
    documentsDeleted: 0,
    notificationsDeleted: 0,
    smsDeleted: 0,
    smsInboundDeleted: 0,
    emailInboundDeleted: 0,
    loginAttemptsDeleted: 0,
    auditPurged: 0,
    subscriptionsDeleted: 0,
    campaignRecipientsCleared: 0,
  };
}

/** The counts of a run, read back from the audit entries its batches wrote. */
export async function retentionRunCounts(em: EntityManager, tenantId: string, runId: string): Promise<RetentionCounts> {
  const [row] = await query<Record<keyof RetentionCounts, number>>(
    em,
    `select coalesce(sum((data->'counts'->>'requests')::int) filter (where action = 'privacy.anonymise'), 0)::int as "requestsAnonymised",
            coalesce(sum(coalesce((data->'counts'->>'attachments')::int, (data->>'attachments')::int))
              filter (where action in ('privacy.anonymise', ?)), 0)::int as "attachmentsDeleted",
            coalesce(sum(coalesce((data->'counts'->>'documents')::int, (data->>'documents')::int))
              filter (where action in ('privacy.anonymise', ?)), 0)::int as "documentsDeleted",
            coalesce(sum((data->>'notifications')::int) filter (where action = ?), 0)::int as "notificationsDeleted",
            coalesce(sum((data->>'smsMessages')::int) filter (where action = ?), 0)::int as "smsDeleted",
            coalesce(sum((data->>'smsInbound')::int) filter (where action = ?), 0)::int as "smsInboundDeleted",
            coalesce(sum((data->>'emailInbound')::int) filter (where action = ?), 0)::int as "emailInboundDeleted",
            coalesce(sum((data->>'loginAttempts')::int) filter (where action = ?), 0)::int as "loginAttemptsDeleted",
            coalesce(sum((data->>'purged')::int) filter (where action = ?), 0)::int as "auditPurged",
            coalesce(sum((data->>'subscriptions')::int) filter (where action = ?), 0)::int as "subscriptionsDeleted",
            coalesce(sum((data->>'campaignRecipients')::int) filter (where action = ?), 0)::int as "campaignRecipientsCleared"
       from audit_log where tenant_id = ? and data->>'run' = ?`,
    [
      RETENTION_AUDIT_ACTIONS.documents, RETENTION_AUDIT_ACTIONS.documents, RETENTION_AUDIT_ACTIONS.messageLogs, RETENTION_AUDIT_ACTIONS.messageLogs,
      RETENTION_AUDIT_ACTIONS.messageLogs, RETENTION_AUDIT_ACTIONS.messageLogs, RETENTION_AUDIT_ACTIONS.loginAttempts, RETENTION_AUDIT_ACTIONS.audit,
      RETENTION_AUDIT_ACTIONS.subscriptions, RETENTION_AUDIT_ACTIONS.subscriptions, tenantId, runId,
    ],
  );
  return row;
}

/**
 * Writes the run's summary entry once (a retried last step finds it there) and returns the counts. The summary
 * repeats what the batch entries say; it is what an administrator reads on the audit screen.
 */
export async function recordRetentionRun(em: EntityManager, tenantId: string, runId: string, asOf: string): Promise<RetentionCounts> {
  return em.transactional(async (tx) => {
    // One summary per run: a retried last step must not write a second one.
    await query(tx, 'select pg_advisory_xact_lock(hashtextextended(?, 0))', [`retention-run:${tenantId}:${runId}`]);
    const counts = await retentionRunCounts(tx, tenantId, runId);
    const [done] = await query(tx, 'select 1 from audit_log where tenant_id = ? and action = ? and data->>\'run\' = ?', [tenantId, RETENTION_AUDIT_ACTIONS.run, runId]);
    if (!done) {
      const policy = await policyOf(tx, tenantId);
      await writeAudit(tx, { tenantId, action: RETENTION_AUDIT_ACTIONS.run, target: asOf.slice(0, 10), data: { run: runId, asOf, policy: { ...policy, loginAttemptsMonths: LOGIN_ATTEMPTS_MONTHS }, counts } });
    }
    return counts;
  });
}
