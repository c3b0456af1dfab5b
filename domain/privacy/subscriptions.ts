import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, query } from '@/domain/sql';
import type { PersonKey } from './person';

/** One subscription of the person to a list, with its consent and the whole consent trail (each event's proof). */
export interface PersonSubscription {
  list: string;
  listLabel: string;
  channel: string;
  address: string;
  status: string;
  createdAt: string;
  consentAt: string | null;
  consentMethod: string | null;
  consentProof: Record<string, unknown> | null;
  unsubscribedAt: string | null;
  unsubscribedVia: string | null;
  trail: Array<{ kind: string; method: string; proof: Record<string, unknown>; at: string }>;
}

/** One campaign message addressed to the person: which campaign, on which channel, and what became of it. */
export interface PersonCampaignMessage {
  campaign: string;
  list: string;
  channel: string;
  address: string;
  status: string;
  sentAt: string | null;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** The channel and stored form of the person's address among subscribers: e-mails in lower case, numbers in E.164. */
function subscriberAddress(person: PersonKey): { channel: 'email' | 'sms'; address: string } {
  return person.kind === 'email' ? { channel: 'email', address: person.value.toLowerCase() } : { channel: 'sms', address: person.value };
}

/** The person's subscriptions in the tenant and their consent trails, oldest first. */
export async function subscriptionsOf(em: EntityManager, tenantId: string, person: PersonKey): Promise<PersonSubscription[]> {
  const { channel, address } = subscriberAddress(person);
  const rows = await query<{
    id: string; slug: string; label: string; channel: string; address: string; status: string; created_at: Date; consent_at: Date | null;
    consent_method: string | null; consent_proof: Record<string, unknown> | null; unsubscribed_at: Date | null; unsubscribed_via: string | null;
  }>(
    em,
    `select s.id, l.slug, l.label, p.channel, p.address, s.status, s.created_at, s.consent_at, s.consent_method, s.consent_proof, s.unsubscribed_at, s.unsubscribed_via
       from subscription s join subscriber p on p.id = s.subscriber_id join subscription_list l on l.id = s.list_id
      where p.tenant_id = ? and s.tenant_id = p.tenant_id and p.channel = ? and p.address = ? order by s.created_at, l.slug`,
    [tenantId, channel, address],
  );
  const events = await query<{ subscription_id: string; kind: string; method: string; proof: Record<string, unknown>; created_at: Date }>(
    em,
    'select subscription_id, kind, method, proof, created_at from subscription_event where tenant_id = ? and subscription_id = any(?::uuid[]) order by created_at, id',
    [tenantId, pgArray(rows.map((r) => r.id))],
  );
  return rows.map((r) => ({
    list: r.slug,
    listLabel: r.label,
    channel: r.channel,
    address: r.address,
    status: r.status,
    createdAt: iso(r.created_at)!,
    consentAt: iso(r.consent_at),
    consentMethod: r.consent_method,
    consentProof: r.consent_proof,
    unsubscribedAt: iso(r.unsubscribed_at),
    unsubscribedVia: r.unsubscribed_via,
    trail: events.filter((e) => e.subscription_id === r.id).map((e) => ({ kind: e.kind, method: e.method, proof: e.proof, at: iso(e.created_at)! })),
  }));
}

/** The campaign messages addressed to the person in the tenant, oldest campaign first. */
export async function campaignMessagesOf(em: EntityManager, tenantId: string, person: PersonKey): Promise<PersonCampaignMessage[]> {
  const { channel, address } = subscriberAddress(person);
  const rows = await query<{ title: string; label: string; channel: string; address: string; status: string; sent_at: Date | null }>(
    em,
    `select c.title, l.label, r.channel, r.address, r.status, r.sent_at
       from campaign_recipient r join campaign c on c.id = r.campaign_id join subscription_list l on l.id = c.list_id
      where c.tenant_id = ? and r.channel = ? and r.address = ? order by c.created_at, r.position`,
    [tenantId, channel, address],
  );
  return rows.map((r) => ({ campaign: r.title, list: r.label, channel: r.channel, address: r.address, status: r.status, sentAt: iso(r.sent_at) }));
}

/** What erasing a person's subscriptions did. */
export interface SubscriptionErasureCounts {
  subscriptions: number;
  consentEvents: number;
  campaignRecipients: number;
}

/**
 * Erases the person's subscriptions: the subscriber row goes with its subscriptions and their consent trails (nothing
 * is sent to them any more, so no consent is left to prove), and the campaign reports keep their lines without the
 * address; a message still waiting in a running campaign is cancelled. An SMS opt-out (STOP) is kept apart: it is
 * what stops SMS to that number. Runs inside the caller's transaction.
 */
export async function eraseSubscriptions(em: EntityManager, tenantId: string, person: PersonKey): Promise<SubscriptionErasureCounts> {
  const { channel, address } = subscriberAddress(person);
  const [counted] = await query<{ subscriptions: number; events: number }>(
    em,
    `select count(distinct s.id)::int as subscriptions, count(e.id)::int as events
       from subscriber p join subscription s on s.subscriber_id = p.id left join subscription_event e on e.subscription_id = s.id
      where p.tenant_id = ? and p.channel = ? and p.address = ?`,
    [tenantId, channel, address],
  );
  // Subscriptions and their events go with the subscriber (foreign keys on delete cascade).
  await query(em, 'delete from subscriber where tenant_id = ? and channel = ? and address = ?', [tenantId, channel, address]);
  const recipients = await query(
    em,
    `update campaign_recipient r set address = '', status = case when r.status = 'queued' then 'cancelled' else r.status end
       from campaign c where c.id = r.campaign_id and c.tenant_id = ? and r.channel = ? and r.address = ? returning r.position`,
    [tenantId, channel, address],
  );
  return { subscriptions: counted.subscriptions, consentEvents: counted.events, campaignRecipients: recipients.length };
}
