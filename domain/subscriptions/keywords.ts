import type { EntityManager } from '@mikro-orm/postgresql';
import { SubscriptionList } from '@/domain/entities';
import { query } from '@/domain/sql';
import { activate, lockSubscription, upsertSubscriber, withdraw } from './subscriptions';

/** What an SMS to the short number asks of the lists. */
export type ListKeyword =
  | { action: 'subscribe'; list: string }
  | { action: 'unsubscribe'; list: string }
  /** `STOP` alone, or followed by anything that is not a list: every information SMS stops. */
  | { action: 'stop_all' };

const SUBSCRIBE_WORDS = new Set(['ABO', 'ABONNEMENT', 'ABONNER']);
const STOP_WORDS = new Set(['STOP', 'STOPSMS', 'ARRET', 'DESABONNEMENT', 'DESABO']);

function words(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9- ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/**
 * Reads `ABO <LISTE>`, `STOP <LISTE>` and `STOP`, whatever the case and accents. `ABO` without a list gives an empty
 * list name (the reply names the lists); undefined for any other text, which stays a request or a reply.
 */
export function parseListKeyword(text: string): ListKeyword | undefined {
  const [first, second, ...rest] = words(text);
  if (!first) return undefined;
  if (SUBSCRIBE_WORDS.has(first) && rest.length === 0) return { action: 'subscribe', list: (second ?? '').toLowerCase() };
  if (STOP_WORDS.has(first)) {
    return second && rest.length === 0 && second !== 'SMS' ? { action: 'unsubscribe', list: second.toLowerCase() } : { action: 'stop_all' };
  }
  return undefined;
}

/** The proof of a consent or a withdrawal given by SMS: the stored inbound message. */
export interface SmsProof {
  inboundId: string;
  text: string;
}

/** What handling a list keyword did, with what the reply needs. */
export type KeywordResult =
  | { kind: 'subscribed'; subscriptionId: string; listSlug: string; listLabel: string }
  | { kind: 'unsubscribed'; subscriptionId?: string; listSlug: string; listLabel: string }
  | { kind: 'unknown_list'; available: string[] };

/**
 * `ABO <LISTE>`: the number joins a public SMS list at once (the SMS from the handset is the consent and its proof),
 * which also lifts an earlier STOP.
 */
export async function subscribeBySms(em: EntityManager, tenantId: string, phone: string, listSlug: string, proof: SmsProof): Promise<KeywordResult> {
  const list = await smsList(em, tenantId, listSlug);
  if (!list) return { kind: 'unknown_list', available: await smsLists(em, tenantId) };
  return em.transactional(async (tx) => {
    const subscriberId = await upsertSubscriber(tx, tenantId, 'sms', phone);
    const [row] = await query<{ id: string }>(
      tx,
      `insert into subscription (id, tenant_id, subscriber_id, list_id, status) values (gen_random_uuid(), ?, ?, ?, 'pending')
       on conflict (subscriber_id, list_id) do update set updated_at = now() returning id`,
      [tenantId, subscriberId, list.id],
    );
    const subscription = await lockSubscription(tx, row.id);
    if (subscription.status !== 'active') await activate(tx, subscription, 'sms_keyword', { via: 'sms', inboundSmsId: proof.inboundId, text: proof.text, address: phone });
    else await query(tx, 'delete from sms_opt_out where tenant_id = ? and phone = ?', [tenantId, phone]);
    return { kind: 'subscribed', subscriptionId: row.id, listSlug: list.slug, listLabel: list.label };
  });
}

/** `STOP <LISTE>`: the number leaves that list only. */
export async function unsubscribeBySms(em: EntityManager, tenantId: string, phone: string, listSlug: string, proof: SmsProof): Promise<KeywordResult> {
  const list = await smsList(em, tenantId, listSlug, { includeInternal: true });
  if (!list) return { kind: 'unknown_list', available: await smsLists(em, tenantId) };
  const [row] = await query<{ id: string }>(
    em,
    `select s.id from subscription s join subscriber p on p.id = s.subscriber_id
      where s.tenant_id = ? and s.list_id = ? and p.channel = 'sms' and p.address = ?`,
    [tenantId, list.id, phone],
  );
  if (row) await withdraw(em, row.id, 'sms_keyword', { via: 'sms', inboundSmsId: proof.inboundId, text: proof.text });
  return { kind: 'unsubscribed', subscriptionId: row?.id, listSlug: list.slug, listLabel: list.label };
}

/** `STOP`: the number leaves every SMS list of the tenant (sms_opt_out is written by the caller, as before). */
export async function unsubscribeAllBySms(em: EntityManager, tenantId: string, phone: string, proof: SmsProof): Promise<number> {
  const rows = await query<{ id: string }>(
    em,
    `select s.id from subscription s join subscriber p on p.id = s.subscriber_id
      where s.tenant_id = ? and p.channel = 'sms' and p.address = ? and s.status <> 'unsubscribed'`,
    [tenantId, phone],
  );
  for (const row of rows) await withdraw(em, row.id, 'sms_stop', { via: 'sms', inboundSmsId: proof.inboundId, text: proof.text });
  return rows.length;
}

async function smsList(em: EntityManager, tenantId: string, slug: string, options: { includeInternal?: boolean } = {}): Promise<SubscriptionList | null> {
  if (!slug) return null;
  const list = await em.getRepository(SubscriptionList).bySlug(tenantId, slug);
  return list && list.channels.includes('sms') && (list.isPublic || options.includeInternal) ? list : null;
}

async function smsLists(em: EntityManager, tenantId: string): Promise<string[]> {
  const lists = await em.getRepository(SubscriptionList).ofTenant(tenantId);
  return lists.filter((list) => list.channels.includes('sms')).map((list) => list.slug.toUpperCase());
}
