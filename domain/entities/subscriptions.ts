import { EntityRepositoryType, EntitySchema, type Opt } from '@mikro-orm/core';
import { EntityRepository } from '@mikro-orm/postgresql';
import { timestamptz, uuidKey } from './columns';
import { Tenant } from './tenant';

/** How an information message reaches a subscriber. */
export const SUBSCRIPTION_CHANNELS = ['sms', 'email'] as const;
/** One of SUBSCRIPTION_CHANNELS. */
export type SubscriptionChannel = (typeof SUBSCRIPTION_CHANNELS)[number];

/** A list citizens subscribe to (weather alerts, canteen menus…); internal lists are not offered on the portal. */
export class SubscriptionList {
  [EntityRepositoryType]?: SubscriptionListRepository;
  id!: string;
  tenant!: Tenant;
  /** Also the SMS keyword: `ABO <SLUG>`. */
  slug!: string;
  label!: string;
  description!: Opt<string>;
  channels!: SubscriptionChannel[];
  isPublic!: Opt<boolean>;
  position!: Opt<number>;
  createdAt!: Opt<Date>;
  updatedAt!: Opt<Date>;
}

/** Queries on subscription lists, always within one tenant. */
/** A list's slug, as the tenant file and the administration hold it (it is also the SMS keyword). */
export const LIST_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

export class SubscriptionListRepository extends EntityRepository<SubscriptionList> {
  /** The tenant's lists in display order; public ones only unless `includeInternal`. */
  ofTenant(tenantId: string, options: { includeInternal?: boolean } = {}): Promise<SubscriptionList[]> {
    return this.find({ tenant: tenantId, ...(options.includeInternal ? {} : { isPublic: true }) }, { orderBy: [{ position: 'asc' }, { slug: 'asc' }] });
  }

  /**
   * One list of the tenant by its slug, case-insensitively (an SMS keyword may come in any case). Text that no slug can
   * be is no list, and never reaches PostgreSQL, which would refuse a NUL or a lone surrogate with an error.
   */
  bySlug(tenantId: string, slug: string): Promise<SubscriptionList | null> {
    const wanted = slug.toLowerCase();
    if (!LIST_SLUG.test(wanted)) return Promise.resolve(null);
    return this.findOne({ tenant: tenantId, slug: wanted });
  }
}

export const SubscriptionListSchema = new EntitySchema<SubscriptionList>({
  class: SubscriptionList,
  tableName: 'subscription_list',
  repository: () => SubscriptionListRepository,
  uniques: [{ properties: ['tenant', 'slug'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    slug: { type: 'string', length: 63 },
    label: { type: 'string', length: 200 },
    description: { type: 'text', default: '' },
    channels: { type: 'text[]' },
    isPublic: { type: 'boolean', default: true },
    position: { type: 'integer', default: 0 },
    createdAt: timestamptz({ now: true }),
    updatedAt: timestamptz({ now: true }),
  },
});

/** Where a subscription stands: waiting for its confirmation, active, or left (by the citizen or an agent). */
export const SUBSCRIPTION_STATUSES = ['pending', 'active', 'unsubscribed'] as const;
/** One of SUBSCRIPTION_STATUSES. */
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** One address of a tenant's subscribers: an e-mail (lower case) or a mobile number (E.164). */
export class Subscriber {
  id!: string;
  tenant!: Tenant;
  channel!: SubscriptionChannel;
  address!: string;
  createdAt!: Opt<Date>;
}

/** A subscriber on a list; consent is what confirmed it: when, how and the proof kept. */
export class Subscription {
  id!: string;
  tenant!: Tenant;
  subscriber!: Subscriber;
  list!: SubscriptionList;
  status!: Opt<SubscriptionStatus>;
  /** Confirmation messages sent so far; each has its own link or code, only the latest one counts. */
  confirmationAttempt!: Opt<number>;
  confirmationExpiresAt?: Date;
  /** Wrong codes typed for the current confirmation. */
  codeFailures!: Opt<number>;
  consentAt?: Date;
  consentMethod?: string;
  consentProof?: Record<string, unknown>;
  unsubscribedAt?: Date;
  unsubscribedVia?: string;
  createdAt!: Opt<Date>;
  updatedAt!: Opt<Date>;
}

/** The consent trail of a subscription, append-only: requested, confirmed, withdrawn, each with its proof. */
export class SubscriptionEvent {
  id!: string;
  tenant!: Tenant;
  subscription!: Subscription;
  kind!: string;
  method!: string;
  proof!: Opt<Record<string, unknown>>;
  createdAt!: Opt<Date>;
}

export const SubscriberSchema = new EntitySchema<Subscriber>({
  class: Subscriber,
  tableName: 'subscriber',
  uniques: [{ properties: ['tenant', 'channel', 'address'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    channel: { type: 'string', length: 10 },
    address: { type: 'string', length: 320 },
    createdAt: timestamptz({ now: true }),
  },
});

export const SubscriptionSchema = new EntitySchema<Subscription>({
  class: Subscription,
  tableName: 'subscription',
  uniques: [{ properties: ['subscriber', 'list'] }],
  indexes: [{ properties: ['list', 'status'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    subscriber: { kind: 'm:1', entity: () => Subscriber, deleteRule: 'cascade' },
    list: { kind: 'm:1', entity: () => SubscriptionList, deleteRule: 'cascade' },
    status: { type: 'string', length: 20, default: 'pending' },
    confirmationAttempt: { type: 'integer', default: 0 },
    confirmationExpiresAt: timestamptz({ nullable: true }),
    codeFailures: { type: 'integer', default: 0 },
    consentAt: timestamptz({ nullable: true }),
    consentMethod: { type: 'string', length: 30, nullable: true },
    consentProof: { type: 'json', nullable: true },
    unsubscribedAt: timestamptz({ nullable: true }),
    unsubscribedVia: { type: 'string', length: 30, nullable: true },
    createdAt: timestamptz({ now: true }),
    updatedAt: timestamptz({ now: true }),
  },
});

export const SubscriptionEventSchema = new EntitySchema<SubscriptionEvent>({
  class: SubscriptionEvent,
  tableName: 'subscription_event',
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    subscription: { kind: 'm:1', entity: () => Subscription, deleteRule: 'cascade', index: true },
    kind: { type: 'string', length: 30 },
    method: { type: 'string', length: 30 },
    proof: { type: 'json', default: '{}' },
    createdAt: timestamptz({ now: true }),
  },
});
