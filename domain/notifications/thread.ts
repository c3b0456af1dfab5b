import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '@/domain/sql';

/** How many Message-IDs References keeps: the first (the thread's root) and the latest ones, as RFC 5322 suggests trimming. */
const MAX_REFERENCES = 20;

/** `[Réf. 2026-000123]`: the reference as the subject of every e-mail about a request carries it. */
export function referenceTag(reference: string): string {
  return `[Réf. ${reference}]`;
}

/** The subject with the request's reference tag, added once (a tenant's template may already carry it). */
export function withReferenceTag(subject: string, reference: string): string {
  const tag = referenceTag(reference);
  return subject.includes(tag) ? subject : `${subject.trim()} ${tag}`.trim();
}

/**
 * The conversation of a request with its citizen, as Message-IDs oldest first: the e-mails the citizen sent (filed
 * from inbound_email) and the e-mails already sent to that address about the request. The new message answers the
 * latest one (In-Reply-To) and lists them all (References), so that the citizen's mail program threads them.
 */
export async function citizenThread(em: EntityManager, request: { tenantId: string; id: string }, citizenAddress: string, exceptKey?: string): Promise<string[]> {
  // Raw: runs before every e-mail to a citizen, one round trip for both sources.
  const rows = await query<{ message_id: string }>(
    em,
    `select message_id from (
       select message_id, received_at as at from inbound_email
        where tenant_id = ? and request_id = ? and message_id is not null and outcome in ('request', 'reply', 'released')
       union all
       select message_id, coalesce(sent_at, created_at) as at from notification
        where tenant_id = ? and request_id = ? and channel = 'email' and lower(recipient) = lower(?) and message_id is not null
          and status in ('sent', 'bounced', 'delivered', 'uncertain') and idempotency_key <> ?
     ) conversation order by at, message_id`,
    [request.tenantId, request.id, request.tenantId, request.id, citizenAddress, exceptKey ?? ''],
  );
  const ids = [...new Set(rows.map((r) => r.message_id.replace(/^<|>$/g, '')).filter(Boolean))];
  return ids.length <= MAX_REFERENCES ? ids : [ids[0], ...ids.slice(ids.length - MAX_REFERENCES + 1)];
}
