import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { query } from '@/domain/sql';

/** What one anonymisation changed; a second run over the same requests counts zero everywhere. */
export interface AnonymisationCounts {
  /** Requests whose citizen, texts and form answers were replaced. */
  requests: number;
  /** Timeline events whose free texts were removed. */
  events: number;
  /** Attachments deleted (citizen uploads, inbound mail files). */
  attachments: number;
  /** Generated documents (certificates, letters, receipts) deleted. */
  documents: number;
  /** Outgoing notifications whose recipient address and subject were removed. */
  notifications: number;
  /** Outgoing SMS whose number and text were removed. */
  smsMessages: number;
  /** Inbound SMS whose sender and text were removed. */
  smsInbound: number;
  /** Inbound e-mails whose sender, subject, text and authentication results were removed. */
  emailInbound: number;
}

/** What an anonymisation is asked for, and by whom (null for the retention job). */
export interface AnonymisationOptions {
  reason: string;
  agentId?: string | null;
  /** The retention run this call belongs to, recorded in the audit entry (its counts are summed from there). */
  runId?: string;
}

/** The subject an anonymised request shows in the inbox and the dashboard's lists. */
export const ANONYMISED_SUBJECT = 'Demande anonymisée';

/** Event data keys that never hold personal data (figures and channel names): kept so the timeline still reads. */
const NEUTRAL_EVENT_KEYS = ['percent', 'step', 'via', 'status', 'connector', 'fromDepartment', 'toDepartment', 'department'];

/** Zero counts, the start of every sum. */
export function noAnonymisation(): AnonymisationCounts {
  return { requests: 0, events: 0, attachments: 0, documents: 0, notifications: 0, smsMessages: 0, smsInbound: 0, emailInbound: 0 };
}

/** Clears what an inbound e-mail says of its sender; the outcome, dates and request links stay for the statistics. */
export const CLEAR_INBOUND_EMAIL = `update inbound_email set envelope_from = null, from_address = null, from_name = null, subject = null, body = null,
         reason = null, auth = '{}'::jsonb, attachments = '[]'::jsonb`;
/** An inbound e-mail that still holds something of its sender. */
export const INBOUND_EMAIL_NOT_CLEARED = `(from_address is not null or envelope_from is not null or body is not null or subject is not null or auth <> '{}'::jsonb)`;

const run = (options: AnonymisationOptions) => (options.runId ? { run: options.runId } : {});
const uuidArray = (ids: string[]) => `{${ids.join(',')}}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Anonymises the given requests of one tenant now, in one transaction, and writes one audit entry with the counts.
 * Names, addresses, e-mail addresses, phone numbers, subjects, messages, answers, notes, event texts and form answers
 * are removed; attachments and generated documents are deleted; the outgoing notifications, SMS (and their receipts,
 * which repeat the numbers), inbound SMS and inbound e-mails of the requests lose their addresses and texts. Topic, department, kind,
 * channels, dates and states stay, so every statistic is unchanged. The tracking code stops working. Ids of other
 * tenants are ignored. Idempotent: what is already anonymised is neither changed nor counted again.
 * Left alone on purpose: `sms_opt_out` (a STOP must keep being honoured, and it names no request), export attempts
 * (their target is the business system, not the citizen), rate-limit counters (they expire within the hour) and the
 * Temporal histories (the namespace retention deletes them, see the README).
 */
export async function anonymiseRequests(em: EntityManager, tenantId: string, requestIds: string[], options: AnonymisationOptions): Promise<AnonymisationCounts> {
  const ids = [...new Set(requestIds.filter((id) => UUID.test(id)))];
  return em.transactional(async (tx) => {
    const counts = noAnonymisation();
    if (!ids.length) {
      await writeAudit(tx, { tenantId, agentId: options.agentId ?? null, action: 'privacy.anonymise', data: { reason: options.reason, counts, references: [], ...run(options) } });
      return counts;
    }
    const scope = [tenantId, uuidArray(ids)];
    // Row locks first: an erasure and the retention job meeting on a request take turns, and the second counts nothing.
    const requests = await query<{ id: string; reference: string; anonymised_at: Date | null }>(
      tx,
      'select id, reference, anonymised_at from request where tenant_id = ? and id = any(?::uuid[]) order by id for update',
      scope,
    );
    const known = requests.map((r) => r.id);
    if (known.length) {
      const inScope = [tenantId, uuidArray(known)];
      const changed = await query(
        tx,
        `update request set citizen = '{}'::jsonb, subject = ?, body = '', form_data = null, answer = null,
                tracking_code_hash = '', anonymised_at = now(), updated_at = now()
          where tenant_id = ? and id = any(?::uuid[]) and anonymised_at is null returning id`,
        [ANONYMISED_SUBJECT, ...inScope],
      );
      counts.requests = changed.length;
      const neutral = `{${NEUTRAL_EVENT_KEYS.join(',')}}`;
      counts.events = (
        await query(
          tx,
          `update request_event set data = (select coalesce(jsonb_object_agg(k, v), '{}'::jsonb) from jsonb_each(data) as e(k, v) where k = any(?::text[]))
            where tenant_id = ? and request_id = any(?::uuid[]) and exists (select 1 from jsonb_object_keys(data) as k where k <> all(?::text[])) returning id`,
          [neutral, ...inScope, neutral],
        )
      ).length;
      counts.attachments = (await query(tx, 'delete from attachment where tenant_id = ? and request_id = any(?::uuid[]) returning id', inScope)).length;
      counts.documents = (await query(tx, 'delete from document where tenant_id = ? and request_id = any(?::uuid[]) returning id', inScope)).length;
      counts.notifications = (
        await query(
          tx,
          `update notification set recipient = '', subject = null, error = null
            where tenant_id = ? and request_id = any(?::uuid[]) and (recipient <> '' or subject is not null or error is not null) returning id`,
          inScope,
        )
      ).length;
      // Receipts repeat the numbers (from / to): cleared through the segments of the request's SMS, before the SMS lose them.
      await query(
        tx,
        `update sms_receipt set raw = '{}'::jsonb where raw <> '{}'::jsonb and smsc_message_id in (
           select s.smsc_message_id from sms_segment s join sms_message m on m.id = s.sms_message_id where m.tenant_id = ? and m.request_id = any(?::uuid[]))`,
        inScope,
      );
      await query(
        tx,
        `update sms_segment set receipt = null where receipt is not null and sms_message_id in (
           select id from sms_message where tenant_id = ? and request_id = any(?::uuid[]))`,
        inScope,
      );
      counts.smsMessages = (
        await query(
          tx,
          `update sms_message set recipient = '', text = '', error = null
            where tenant_id = ? and request_id = any(?::uuid[]) and (recipient <> '' or text <> '' or error is not null) returning id`,
          inScope,
        )
      ).length;
      counts.smsInbound = (
        await query(
          tx,
          `update sms_inbound set sender = '', text = '', detail = null
            where tenant_id = ? and request_id = any(?::uuid[]) and (sender <> '' or text <> '' or detail is not null) returning id`,
          inScope,
        )
      ).length;
      counts.emailInbound = (await query(tx, `${CLEAR_INBOUND_EMAIL} where tenant_id = ? and (request_id = any(?::uuid[]) or linked_request_id = any(?::uuid[])) and ${INBOUND_EMAIL_NOT_CLEARED} returning id`, [...inScope, uuidArray(known)])).length;
    }
    const references = requests.map((r) => r.reference).sort();
    await writeAudit(tx, {
      tenantId,
      agentId: options.agentId ?? null,
      action: 'privacy.anonymise',
      target: references.length === 1 ? references[0] : null,
      data: { reason: options.reason, counts, references, ...run(options) },
    });
    return counts;
  });
}

/** Adds two sets of counts (the retention job sums its batches). */
export function addAnonymisationCounts(a: AnonymisationCounts, b: AnonymisationCounts): AnonymisationCounts {
  const sum = noAnonymisation();
  for (const key of Object.keys(sum) as (keyof AnonymisationCounts)[]) sum[key] = a[key] + b[key];
  return sum;
}
