import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAuditUnlessRecent } from '@/domain/audit/log';
import { Agent, Subscriber, Subscription, SubscriptionEvent, SubscriptionList, Tenant, type SubscriptionChannel, type SubscriptionStatus } from '@/domain/entities';
import { assertCleanText } from '@/domain/intake/text';
import { InputError, NotFoundError, compileValidator, isUuid } from '@/domain/validation';
import { CONSENT_EVENT_LABELS, SUBSCRIPTION_STATUS_LABELS, consentMethodLabel, proofLines, type ProofLine } from './consent-labels';

/** Subscribers shown per page of a list. */
const SUBSCRIBERS_PAGE_SIZE = 50;

/** The filters of a list's subscribers, as the console's query string gives them (French names). */
export interface SubscriberFilters {
  liste?: string;
  q?: string;
  etat?: string;
  canal?: string;
  page?: string;
}

const validateFilters = compileValidator<SubscriberFilters>({
  type: 'object',
  properties: {
    liste: { type: 'string', maxLength: 63, errorMessage: 'Liste inconnue.' },
    q: { type: 'string', maxLength: 320, errorMessage: 'Recherche trop longue (320 caractères au plus).' },
    etat: { enum: ['', 'tous', 'pending', 'active', 'unsubscribed'], errorMessage: 'État inconnu.' },
    canal: { enum: ['', 'tous', 'sms', 'email'], errorMessage: 'Canal inconnu.' },
    page: { type: 'string', pattern: '^[1-9][0-9]{0,4}$', errorMessage: 'Numéro de page invalide.' },
  },
});

/** One subscription of a list, as the console's table shows it (a plain object, never the entity). */
export interface SubscriberRow {
  subscriberId: string;
  subscriptionId: string;
  channel: SubscriptionChannel;
  address: string;
  status: SubscriptionStatus;
  statusLabel: string;
  consentAt: string | null;
  consentMethod: string | null;
  consentMethodLabel: string;
  unsubscribedAt: string | null;
}

/** A page of a list's subscribers. */
export interface SubscriberPage {
  list: { slug: string; label: string };
  lists: Array<{ slug: string; label: string }>;
  filters: { q: string; etat: string; canal: string };
  total: number;
  page: number;
  pages: number;
  rows: SubscriberRow[];
}

/**
 * A page of one list's subscribers of the tenant (the first list when none is named), searched by e-mail address or
 * phone number (part of it), filtered by state and channel, oldest subscription first.
 */
export async function listSubscribers(em: EntityManager, tenantId: string, raw: unknown): Promise<SubscriberPage> {
  const filters = validateFilters(raw);
  assertCleanText(filters);
  const lists = await em.getRepository(SubscriptionList).ofTenant(tenantId, { includeInternal: true });
  const list = filters.liste ? lists.find((l) => l.slug === filters.liste?.toLowerCase()) : lists[0];
  if (!list) {
    if (filters.liste) throw new InputError([{ path: '/liste', message: 'Cette liste n’existe pas.' }]);
    return { list: { slug: '', label: '' }, lists: [], filters: { q: '', etat: 'tous', canal: 'tous' }, total: 0, page: 1, pages: 1, rows: [] };
  }
  const q = filters.q?.trim() ?? '';
  const etat = filters.etat && filters.etat !== 'tous' ? (filters.etat as SubscriptionStatus) : undefined;
  const canal = filters.canal && filters.canal !== 'tous' ? (filters.canal as SubscriptionChannel) : undefined;
  const subscriber: FilterQuery<Subscriber> = {
    ...(canal ? { channel: canal } : {}),
    ...(q ? { address: { $ilike: `%${escapeLike(addressFragment(q))}%` } } : {}),
  };
  const where: FilterQuery<Subscription> = { tenant: tenantId, list, ...(etat ? { status: etat } : {}), ...(Object.keys(subscriber).length ? { subscriber } : {}) };
  const total = await em.count(Subscription, where);
  const pages = Math.max(1, Math.ceil(total / SUBSCRIBERS_PAGE_SIZE));
  const page = Math.min(Number(filters.page ?? 1), pages);
  const found = await em.find(Subscription, where, {
    populate: ['subscriber'],
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    limit: SUBSCRIBERS_PAGE_SIZE,
    offset: (page - 1) * SUBSCRIBERS_PAGE_SIZE,
  });
  return {
    list: { slug: list.slug, label: list.label },
    lists: lists.map((l) => ({ slug: l.slug, label: l.label })),
    filters: { q, etat: etat ?? 'tous', canal: canal ?? 'tous' },
    total,
    page,
    pages,
    rows: found.map((s) => ({
      subscriberId: s.subscriber.id,
      subscriptionId: s.id,
      channel: s.subscriber.channel,
      address: s.subscriber.address,
      status: s.status,
      statusLabel: SUBSCRIPTION_STATUS_LABELS[s.status] ?? s.status,
      consentAt: s.consentAt?.toISOString() ?? null,
      consentMethod: s.consentMethod ?? null,
      consentMethodLabel: consentMethodLabel(s.consentMethod),
      unsubscribedAt: s.unsubscribedAt?.toISOString() ?? null,
    })),
  };
}

/** One event of a consent trail, its proof in plain French. */
export interface ConsentEventView {
  at: string;
  kind: string;
  kindLabel: string;
  method: string;
  methodLabel: string;
  proof: ProofLine[];
}

/** A subscriber's page: the address, each list they were on, and each subscription's consent trail. */
export interface SubscriberDetail {
  id: string;
  channel: SubscriptionChannel;
  address: string;
  createdAt: string;
  subscriptions: Array<{
    id: string;
    list: { slug: string; label: string };
    status: SubscriptionStatus;
    statusLabel: string;
    consentAt: string | null;
    consentMethodLabel: string;
    unsubscribedAt: string | null;
    unsubscribedViaLabel: string | null;
    trail: ConsentEventView[];
  }>;
}

/** Who looks at a subscriber: an agent of the tenant (the route checked the role); the view is audited. */
export interface SubscriberViewer {
  tenantId: string;
  agentId: string;
}

/**
 * One subscriber of the tenant with every subscription and its consent trail (requested, confirmed, withdrawn, each
 * with its proof); NotFoundError for another tenant's or an unknown id. Looking is recorded in the audit trail (once
 * per agent and subscriber every ten minutes).
 */
export async function subscriberDetail(em: EntityManager, viewer: SubscriberViewer, id: string): Promise<SubscriberDetail> {
  if (!isUuid(id)) throw new NotFoundError(`subscriber ${id}`);
  const subscriber = await em.findOne(Subscriber, { id, tenant: viewer.tenantId });
  if (!subscriber) throw new NotFoundError(`subscriber ${id}`);
  const subscriptions = await em.find(Subscription, { tenant: viewer.tenantId, subscriber }, { populate: ['list'], orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  const events = await em.find(
    SubscriptionEvent,
    { tenant: viewer.tenantId, subscription: { $in: subscriptions.map((s) => s.id) } },
    { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
  );
  const agentIds = [...new Set(events.map((e) => e.proof.agentId).filter((a): a is string => typeof a === 'string'))];
  const agents = agentIds.length ? await em.find(Agent, { id: { $in: agentIds.filter(isUuid) }, tenant: viewer.tenantId }) : [];
  const agentNames = new Map(agents.map((a) => [a.id, a.name]));
  const timeZone = await em.getRepository(Tenant).timeZoneOf(viewer.tenantId);
  await writeAuditUnlessRecent(em, { tenantId: viewer.tenantId, agentId: viewer.agentId, action: 'subscribers.view', target: subscriber.id }, 10);
  return {
    id: subscriber.id,
    channel: subscriber.channel,
    address: subscriber.address,
    createdAt: subscriber.createdAt.toISOString(),
    subscriptions: subscriptions.map((s) => ({
      id: s.id,
      list: { slug: s.list.slug, label: s.list.label },
      status: s.status,
      statusLabel: SUBSCRIPTION_STATUS_LABELS[s.status] ?? s.status,
      consentAt: s.consentAt?.toISOString() ?? null,
      consentMethodLabel: consentMethodLabel(s.consentMethod),
      unsubscribedAt: s.unsubscribedAt?.toISOString() ?? null,
      unsubscribedViaLabel: s.unsubscribedVia ? consentMethodLabel(s.unsubscribedVia) : null,
      trail: events
        .filter((e) => e.subscription.id === s.id)
        .map((e) => ({
          at: e.createdAt.toISOString(),
          kind: e.kind,
          kindLabel: CONSENT_EVENT_LABELS[e.kind] ?? e.kind,
          method: e.method,
          methodLabel: consentMethodLabel(e.method),
          proof: proofLines(e.proof, { timeZone, agentNames }),
        })),
    })),
  };
}

/**
 * What to look for in the stored addresses: an e-mail address (or part of it) in lower case; a phone number typed the
 * French way (06 12 34…) in the E.164 form numbers are stored in (+33612 34…), spaces and dots dropped.
 */
function addressFragment(q: string): string {
  const text = q.trim();
  if (/^\+?[\d\s.()-]+$/.test(text) && /\d{2}/.test(text.replace(/\D/g, ''))) {
    const digits = text.replace(/\D/g, '');
    if (text.startsWith('+')) return `+${digits}`;
    return digits.startsWith('0') ? `+33${digits.slice(1)}` : digits;
  }
  return text.toLowerCase();
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
