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
export class SubscriptionListRepository extends EntityRepository<SubscriptionList> {
  /** The tenant's lists in display order; public ones only unless `includeInternal`. */
  ofTenant(tenantId: string, options: { includeInternal?: boolean } = {}): Promise<SubscriptionList[]> {
    return this.find({ tenant: tenantId, ...(options.includeInternal ? {} : { isPublic: true }) }, { orderBy: [{ position: 'asc' }, { slug: 'asc' }] });
  }

  /** One list of the tenant by its slug, case-insensitively (an SMS keyword may come in any case). */
  bySlug(tenantId: string, slug: string): Promise<SubscriptionList | null> {
    return this.findOne({ tenant: tenantId, slug: slug.toLowerCase() });
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
