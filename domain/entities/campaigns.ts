import { EntityRepositoryType, EntitySchema, type Opt } from '@mikro-orm/core';
import { EntityRepository } from '@mikro-orm/postgresql';
import { Agent } from './agent';
import { timestamptz, uuidKey } from './columns';
import { SubscriptionList, type SubscriptionChannel } from './subscriptions';
import { Tenant } from './tenant';

/** A pre-formatted message of a list; `{{name}}` placeholders are filled in when a campaign is composed. */
export class CampaignTemplate {
  id!: string;
  tenant!: Tenant;
  list!: SubscriptionList;
  name!: string;
  subject!: Opt<string>;
  body!: string;
  createdAt!: Opt<Date>;
}

/**
 * Where a campaign stands: composed, waiting for a head's approval, approved (its workflow is starting or waiting for
 * its time), running, paused, then done or cancelled.
 */
export const CAMPAIGN_STATES = ['draft', 'awaiting_approval', 'approved', 'scheduled', 'running', 'paused', 'done', 'cancelled'] as const;
/** One of CAMPAIGN_STATES. */
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** A message sent once to every active subscriber of a list, after a head approved it. */
export class Campaign {
  [EntityRepositoryType]?: CampaignRepository;
  id!: string;
  tenant!: Tenant;
  list!: SubscriptionList;
  template?: CampaignTemplate;
  title!: string;
  subject!: Opt<string>;
  /** The text as every recipient reads it (placeholders filled in), before the stop mention delivery adds. */
  body!: string;
  channels!: SubscriptionChannel[];
  state!: Opt<CampaignState>;
  /** An alert (safety, weather): its SMS go before those of ordinary campaigns. */
  emergency!: Opt<boolean>;
  createdBy!: Agent;
  approvedBy?: Agent;
  submittedAt?: Date;
  approvedAt?: Date;
  /** When to start; none means as soon as approved. */
  scheduledAt?: Date;
  startedAt?: Date;
  finishedAt?: Date;
  /** Recipients in the snapshot taken at start. */
  recipientCount!: Opt<number>;
  createdAt!: Opt<Date>;
  updatedAt!: Opt<Date>;
}

/** Queries on campaigns, always within one tenant. */
export class CampaignRepository extends EntityRepository<Campaign> {
  /** The tenant's campaigns, newest first. */
  ofTenant(tenantId: string, limit = 100): Promise<Campaign[]> {
    return this.find({ tenant: tenantId }, { orderBy: { createdAt: 'desc' }, limit, populate: ['list', 'createdBy'] });
  }
}

/** What became of one recipient of a campaign. */
export const CAMPAIGN_RECIPIENT_STATUSES = ['queued', 'sent', 'opted_out', 'failed', 'no_channel', 'cancelled'] as const;
/** One of CAMPAIGN_RECIPIENT_STATUSES. */
export type CampaignRecipientStatus = (typeof CAMPAIGN_RECIPIENT_STATUSES)[number];

/** One recipient of a campaign, taken from the list's active subscriptions at start; unique per subscription. */
export class CampaignRecipient {
  campaign!: Campaign;
  /** Rank in the snapshot: batches go in this order, and the idempotency key of the message names it. */
  position!: number;
  subscriptionId!: string;
  channel!: SubscriptionChannel;
  address!: string;
  status!: Opt<CampaignRecipientStatus>;
  sentAt?: Date;
  error?: string;
}

/** The token bucket of one operator account: every worker takes its campaign SMS from it (one row per account). */
export class SmsRateBucket {
  account!: string;
  tokens!: number;
  refilledAt!: Opt<Date>;
  /** Set while an emergency campaign is waiting for tokens: ordinary campaigns wait until it has passed. */
  emergencyUntil?: Date;
}

export const CampaignTemplateSchema = new EntitySchema<CampaignTemplate>({
  class: CampaignTemplate,
  tableName: 'campaign_template',
  uniques: [{ properties: ['list', 'name'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    list: { kind: 'm:1', entity: () => SubscriptionList, deleteRule: 'cascade' },
    name: { type: 'string', length: 200 },
    subject: { type: 'string', length: 200, default: '' },
    body: { type: 'text' },
    createdAt: timestamptz({ now: true }),
  },
});

export const CampaignSchema = new EntitySchema<Campaign>({
  class: Campaign,
  tableName: 'campaign',
  repository: () => CampaignRepository,
  indexes: [{ properties: ['tenant', 'createdAt'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    list: { kind: 'm:1', entity: () => SubscriptionList, deleteRule: 'cascade' },
    template: { kind: 'm:1', entity: () => CampaignTemplate, nullable: true, deleteRule: 'set null' },
    title: { type: 'string', length: 200 },
    subject: { type: 'string', length: 200, default: '' },
    body: { type: 'text' },
    channels: { type: 'text[]' },
    state: { type: 'string', length: 20, default: 'draft' },
    emergency: { type: 'boolean', default: false },
    createdBy: { kind: 'm:1', entity: () => Agent },
    approvedBy: { kind: 'm:1', entity: () => Agent, nullable: true },
    submittedAt: timestamptz({ nullable: true }),
    approvedAt: timestamptz({ nullable: true }),
    scheduledAt: timestamptz({ nullable: true }),
    startedAt: timestamptz({ nullable: true }),
    finishedAt: timestamptz({ nullable: true }),
    recipientCount: { type: 'integer', default: 0 },
    createdAt: timestamptz({ now: true }),
    updatedAt: timestamptz({ now: true }),
  },
});

export const CampaignRecipientSchema = new EntitySchema<CampaignRecipient>({
  class: CampaignRecipient,
  tableName: 'campaign_recipient',
  uniques: [{ properties: ['campaign', 'subscriptionId'] }],
  indexes: [{ properties: ['campaign', 'status'] }],
  properties: {
    campaign: { kind: 'm:1', entity: () => Campaign, primary: true, deleteRule: 'cascade' },
    position: { type: 'integer', primary: true },
    // No foreign key: the report keeps the recipient when retention deletes the subscription.
    subscriptionId: { type: 'uuid' },
    channel: { type: 'string', length: 10 },
    address: { type: 'string', length: 320 },
    status: { type: 'string', length: 20, default: 'queued' },
    sentAt: timestamptz({ nullable: true }),
    error: { type: 'text', nullable: true },
  },
});

export const SmsRateBucketSchema = new EntitySchema<SmsRateBucket>({
  class: SmsRateBucket,
  tableName: 'sms_rate_bucket',
  properties: {
    account: { type: 'string', length: 200, primary: true },
    tokens: { type: 'double' },
    refilledAt: timestamptz({ now: true }),
    emergencyUntil: timestamptz({ nullable: true }),
  },
});
