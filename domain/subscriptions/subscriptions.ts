import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { requestLimitsOf, type RequestLimiter } from '@/domain/antispam/request-limits';
import { tryParsePhone } from '@/domain/contact/phone';
import { Subscriber, Subscription, SubscriptionList, Tenant, type SubscriptionChannel, type SubscriptionStatus } from '@/domain/entities';
import { query } from '@/domain/sql';
import { ConflictError, InputError, NotFoundError, compileValidator, type FieldError } from '@/domain/validation';
import { orderedChannels } from './lists';
import { codeMatches, confirmationCode, readLink, signLink } from './tokens';

/** How long an e-mail confirmation link stays valid. */
export const EMAIL_CONFIRMATION_HOURS = 72;
/** How long an SMS confirmation code stays valid. */
export const SMS_CODE_MINUTES = 30;
/** Wrong codes after which the current code is void (a new request sends a new one). */
export const MAX_CODE_FAILURES = 5;

/** The body of `POST /api/v1/t/{tenant}/subscriptions`. */
export interface SubscriptionRequestBody {
  list: string;
  email?: string;
  phone?: string;
}

/** Who asked, as the consent proof keeps it. */
export interface ConsentContext {
  clientAddress?: string;
  userAgent?: string;
  /** Where the request came from: the public API, the portal, an SMS keyword, an import… */
  via: string;
}

/** One confirmation message to send (a workflow per attempt sends it exactly once). */
export interface ConfirmationToSend {
  tenantId: string;
  subscriptionId: string;
  attempt: number;
}

/** What the service needs: the database, the public API's limiter, and how to have a confirmation sent. */
export interface SubscriptionDeps {
  orm: MikroORM;
  limiter?: RequestLimiter;
  startConfirmation: (confirmation: ConfirmationToSend) => Promise<void>;
}

/** The answer to a subscription request: the same whatever the addresses' state, so it tells nothing about them. */
export interface SubscriptionReceipt {
  status: 'pending';
  channels: SubscriptionChannel[];
  /** The portal page where the SMS code is typed, when a mobile number was given. */
  codeToken?: string;
}

const validateBody = compileValidator<SubscriptionRequestBody>({
  type: 'object',
  additionalProperties: false,
  required: ['list'],
  properties: {
    list: { type: 'string', minLength: 1, maxLength: 63 },
    email: { type: 'string', format: 'email', maxLength: 254 },
    phone: { type: 'string', format: 'phone', maxLength: 40 },
  },
  errorMessage: {
    properties: {
      email: 'Adresse e-mail invalide.',
      phone: 'Numéro de téléphone mobile invalide.',
    },
  },
});

/** Checks a subscription request's shape; InputError with French field errors. */
export function validateSubscriptionRequest(value: unknown): SubscriptionRequestBody {
  const body = validateBody(value);
  if (body.email === undefined && body.phone === undefined) throw new InputError([{ path: '', message: 'Indiquez une adresse e-mail ou un numéro de mobile.' }]);
  return body;
}

/** Subscriptions: requests, confirmations by link or code, preferences and unsubscriptions. */
export function createSubscriptions(deps: SubscriptionDeps) {
  const { orm } = deps;

  /**
   * Records a subscription request per channel given, pending until confirmed, and has a confirmation sent for each that
   * is not active already. Counted against the public API's limits of the tenant.
   */
  async function requestSubscription(tenantSlug: string, value: unknown, context: ConsentContext): Promise<SubscriptionReceipt> {
    const em = orm.em.fork();
    const body = validateSubscriptionRequest(value);
    const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);
    const list = await em.getRepository(SubscriptionList).bySlug(tenant.id, body.list);
    if (!list || !list.isPublic) throw new InputError([{ path: '/list', message: `Liste inconnue : « ${body.list} ».` }]);
    const wanted: Array<{ channel: SubscriptionChannel; address: string }> = [];
    const errors: FieldError[] = [];
    if (body.email !== undefined) {
      if (list.channels.includes('email')) wanted.push({ channel: 'email', address: body.email.trim().toLowerCase() });
      else errors.push({ path: '/email', message: 'Cette liste n’est pas proposée par e-mail.' });
    }
    if (body.phone !== undefined) {
      if (list.channels.includes('sms')) wanted.push({ channel: 'sms', address: tryParsePhone(body.phone)! });
      else errors.push({ path: '/phone', message: 'Cette liste n’est pas proposée par SMS.' });
    }
    if (errors.length) throw new InputError(errors);
    if (deps.limiter && context.clientAddress !== undefined) {
      await deps.limiter.consume({ tenantId: tenant.id, limits: requestLimitsOf(tenant.settings), address: context.clientAddress, contacts: [body.email, body.phone] });
    }
    const toSend: ConfirmationToSend[] = [];
    let codeToken: string | undefined;
    await em.transactional(async (tx) => {
      for (const { channel, address } of wanted) {
        const subscriberId = await upsertSubscriber(tx, tenant.id, channel, address);
        const pending = await markPending(tx, tenant.id, subscriberId, list.id, channel);
        await recordEvent(tx, tenant.id, pending.id, 'requested', context.via, proofOf(context));
        if (channel === 'sms') codeToken = signLink('code', { id: pending.id });
        if (pending.attempt !== undefined) toSend.push({ tenantId: tenant.id, subscriptionId: pending.id, attempt: pending.attempt });
      }
    });
    // After the commit: the workflow finds the attempt it was started for.
    for (const confirmation of toSend) await deps.startConfirmation(confirmation);
    return { status: 'pending', channels: orderedChannels(wanted.map((w) => w.channel)), codeToken };
  }

  /** Confirms an e-mail subscription by its signed link; a link of an earlier attempt or past its time is refused. */
  async function confirmByLink(tenantSlug: string, token: string, context: ConsentContext): Promise<ConfirmedSubscription> {
    const subject = readLink('confirm', token);
    if (!subject?.attempt) throw new NotFoundError('Unknown confirmation link');
    return orm.em.fork().transactional(async (tx) => {
      const subscription = await lockSubscription(tx, subject.id, tenantSlug);
      if (subscription.status === 'active') return describe(subscription);
      if (subscription.confirmationAttempt !== subject.attempt || expired(subscription)) {
        throw new ConflictError('Ce lien de confirmation n’est plus valable. Abonnez-vous à nouveau pour en recevoir un autre.');
      }
      await activate(tx, subscription, 'email_double_opt_in', { ...proofOf(context), attempt: subject.attempt, address: subscription.subscriber.address });
      return describe(subscription);
    });
  }

  /** Confirms an SMS subscription with the code it was sent; wrong codes are counted and void the code past the limit. */
  async function confirmByCode(tenantSlug: string, token: string, code: unknown, context: ConsentContext): Promise<ConfirmedSubscription> {
    const subject = readLink('code', token);
    if (!subject) throw new NotFoundError('Unknown code link');
    if (typeof code !== 'string' || !/^\s*(\d\s*){6}$/.test(code)) throw new InputError([{ path: '/code', message: 'Le code reçu par SMS compte 6 chiffres.' }]);
    const em = orm.em.fork();
    const outcome = await em.transactional(async (tx) => {
      const subscription = await lockSubscription(tx, subject.id, tenantSlug);
      if (subscription.status === 'active') return { confirmed: describe(subscription) };
      if (subscription.confirmationAttempt === 0 || expired(subscription) || subscription.codeFailures >= MAX_CODE_FAILURES) {
        throw new ConflictError('Ce code n’est plus valable. Abonnez-vous à nouveau pour en recevoir un autre.');
      }
      if (!codeMatches(code, confirmationCode(subscription.id, subscription.confirmationAttempt))) {
        subscription.codeFailures += 1;
        return { failures: subscription.codeFailures };
      }
      await activate(tx, subscription, 'sms_code', { ...proofOf(context), attempt: subscription.confirmationAttempt, address: subscription.subscriber.address });
      return { confirmed: describe(subscription) };
    });
    if (outcome.confirmed) return outcome.confirmed;
    const left = MAX_CODE_FAILURES - outcome.failures;
    throw new InputError([{ path: '/code', message: left > 0 ? `Code incorrect. Il vous reste ${left} essai(s).` : 'Code incorrect. Ce code n’est plus valable : abonnez-vous à nouveau pour en recevoir un autre.' }]);
  }

  /** The lists a subscriber's preferences page shows: the public lists of the channel, and any list they are on. */
  async function preferences(tenantSlug: string, token: string): Promise<Preferences> {
    const subject = readLink('preferences', token);
    if (!subject) throw new NotFoundError('Unknown preferences link');
    const em = orm.em.fork();
    const subscriber = await em.findOne(Subscriber, { id: subject.id, tenant: { slug: tenantSlug } }, { populate: ['tenant'] });
    if (!subscriber) throw new NotFoundError('Unknown subscriber');
    const subscriptions = await em.find(Subscription, { subscriber }, { populate: ['list'] });
    const byList = new Map(subscriptions.map((s) => [s.list.id, s]));
    const lists = (await em.getRepository(SubscriptionList).ofTenant(subscriber.tenant.id, { includeInternal: true })).filter(
      (list) => list.channels.includes(subscriber.channel) && (list.isPublic || byList.has(list.id)),
    );
    return {
      tenantSlug: subscriber.tenant.slug,
      channel: subscriber.channel,
      address: subscriber.address,
      lists: lists.map((list) => ({ slug: list.slug, label: list.label, description: list.description, status: byList.get(list.id)?.status ?? 'none' })),
    };
  }

  /**
   * Saves a preferences page: the lists ticked are joined (the signed link, sent to this address, proves it is theirs)
   * and the others left. Returns the page as it now stands.
   */
  async function updatePreferences(tenantSlug: string, token: string, keep: string[], context: ConsentContext): Promise<Preferences> {
    const subject = readLink('preferences', token);
    if (!subject) throw new NotFoundError('Unknown preferences link');
    const wanted = new Set(keep.map((slug) => slug.toLowerCase()));
    await orm.em.fork().transactional(async (tx) => {
      const subscriber = await tx.findOne(Subscriber, { id: subject.id, tenant: { slug: tenantSlug } });
      if (!subscriber) throw new NotFoundError('Unknown subscriber');
      const lists = await tx.getRepository(SubscriptionList).ofTenant(subscriber.tenant.id, { includeInternal: true });
      const subscriptions = await tx.find(Subscription, { subscriber }, { populate: ['list'] });
      for (const list of lists) {
        const current = subscriptions.find((s) => s.list.id === list.id);
        if (wanted.has(list.slug) && list.isPublic && list.channels.includes(subscriber.channel) && current?.status !== 'active') {
          const pending = await markPending(tx, subscriber.tenant.id, subscriber.id, list.id, subscriber.channel, { send: false });
          const subscription = await lockSubscription(tx, pending.id);
          await activate(tx, subscription, 'preferences_link', { ...proofOf(context), address: subscriber.address });
        } else if (!wanted.has(list.slug) && current && current.status !== 'unsubscribed') {
          await withdraw(tx, current.id, 'preferences_link', proofOf(context));
        }
      }
    });
    return preferences(tenantSlug, token);
  }

  /** Leaves one list by the signed link of an e-mail's List-Unsubscribe header; idempotent. */
  async function unsubscribeByLink(tenantSlug: string, token: string, context: ConsentContext): Promise<ConfirmedSubscription> {
    const subject = readLink('unsubscribe', token);
    if (!subject) throw new NotFoundError('Unknown unsubscription link');
    return orm.em.fork().transactional(async (tx) => {
      const subscription = await lockSubscription(tx, subject.id, tenantSlug);
      if (subscription.status !== 'unsubscribed') await withdraw(tx, subscription.id, context.via, proofOf(context));
      return describe(subscription);
    });
  }

  /** What a confirmation, code or unsubscription page shows before it is used; undefined for a link that is not valid here. */
  async function linkSummary(tenantSlug: string, purpose: 'confirm' | 'code' | 'unsubscribe', token: string): Promise<(ConfirmedSubscription & { status: SubscriptionStatus }) | undefined> {
    const subject = readLink(purpose, token);
    if (!subject) return undefined;
    const subscription = await orm.em.fork().findOne(Subscription, { id: subject.id, tenant: { slug: tenantSlug } }, { populate: ['tenant', 'list', 'subscriber'] });
    return subscription ? { ...describe(subscription), status: subscription.status } : undefined;
  }

  return { requestSubscription, linkSummary, confirmByLink, confirmByCode, preferences, updatePreferences, unsubscribeByLink };
}

/** The service, as routes and pages use it. */
export type Subscriptions = ReturnType<typeof createSubscriptions>;

/** A subscription as the portal's pages name it. */
export interface ConfirmedSubscription {
  tenantSlug: string;
  listSlug: string;
  listLabel: string;
  channel: SubscriptionChannel;
  /** Token of the subscriber's preferences page. */
  preferencesToken: string;
}

/** What a preferences page shows. */
export interface Preferences {
  tenantSlug: string;
  channel: SubscriptionChannel;
  address: string;
  lists: Array<{ slug: string; label: string; description: string; status: SubscriptionStatus | 'none' }>;
}

function describe(subscription: Subscription): ConfirmedSubscription {
  return {
    tenantSlug: subscription.tenant.slug,
    listSlug: subscription.list.slug,
    listLabel: subscription.list.label,
    channel: subscription.subscriber.channel,
    preferencesToken: signLink('preferences', { id: subscription.subscriber.id }),
  };
}

function expired(subscription: Subscription): boolean {
  return !subscription.confirmationExpiresAt || subscription.confirmationExpiresAt.getTime() < Date.now();
}

function proofOf(context: ConsentContext): Record<string, unknown> {
  return { via: context.via, ...(context.clientAddress ? { clientAddress: context.clientAddress } : {}), ...(context.userAgent ? { userAgent: context.userAgent.slice(0, 300) } : {}) };
}

/** The subscription locked for this transaction, with its tenant, list and subscriber; NotFoundError if gone or another tenant's. */
export async function lockSubscription(em: EntityManager, id: string, tenantSlug?: string): Promise<Subscription> {
  await query(em, 'select 1 from subscription where id = ? for update', [id]);
  const subscription = await em.findOne(Subscription, { id }, { populate: ['tenant', 'list', 'subscriber'], refresh: true });
  if (!subscription || (tenantSlug !== undefined && subscription.tenant.slug !== tenantSlug)) throw new NotFoundError(`Unknown subscription ${id}`);
  return subscription;
}

/** The subscriber row of an address, created on first use. */
export async function upsertSubscriber(em: EntityManager, tenantId: string, channel: SubscriptionChannel, address: string): Promise<string> {
  const [row] = await query<{ id: string }>(
    em,
    `insert into subscriber (id, tenant_id, channel, address) values (?, ?, ?, ?)
     on conflict (tenant_id, channel, address) do update set address = excluded.address returning id`,
    [randomUUID(), tenantId, channel, address],
  );
  return row.id;
}

/**
 * Makes a subscription pending a new confirmation (a new attempt, a fresh expiry), unless it is active already; the
 * attempt is undefined when nothing is to be sent.
 */
async function markPending(
  em: EntityManager,
  tenantId: string,
  subscriberId: string,
  listId: string,
  channel: SubscriptionChannel,
  options: { send?: boolean } = {},
): Promise<{ id: string; attempt?: number }> {
  const validity = channel === 'email' ? `${EMAIL_CONFIRMATION_HOURS} hours` : `${SMS_CODE_MINUTES} minutes`;
  const step = options.send === false ? 0 : 1;
  const [row] = await query<{ id: string; status: SubscriptionStatus; confirmation_attempt: number }>(
    em,
    `insert into subscription (id, tenant_id, subscriber_id, list_id, status, confirmation_attempt, confirmation_expires_at)
     values (?, ?, ?, ?, 'pending', ?, now() + ?::interval)
     on conflict (subscriber_id, list_id) do update set
       status = case when subscription.status = 'active' then 'active' else 'pending' end,
       confirmation_attempt = subscription.confirmation_attempt + case when subscription.status = 'active' then 0 else ? end,
       confirmation_expires_at = case when subscription.status = 'active' then subscription.confirmation_expires_at else excluded.confirmation_expires_at end,
       code_failures = case when subscription.status = 'active' then subscription.code_failures else 0 end,
       updated_at = now()
     returning id, status, confirmation_attempt`,
    [randomUUID(), tenantId, subscriberId, listId, step, validity, step],
  );
  return { id: row.id, attempt: row.status === 'active' || step === 0 ? undefined : row.confirmation_attempt };
}

/** Marks a subscription active with the consent that confirmed it; a STOP given earlier by this number is lifted. */
export async function activate(em: EntityManager, subscription: Subscription, method: string, proof: Record<string, unknown>): Promise<void> {
  subscription.status = 'active';
  subscription.consentAt = new Date();
  subscription.consentMethod = method;
  subscription.consentProof = proof;
  subscription.unsubscribedAt = undefined;
  subscription.unsubscribedVia = undefined;
  subscription.updatedAt = new Date();
  await em.flush();
  await recordEvent(em, subscription.tenant.id, subscription.id, 'confirmed', method, proof);
  // Joining a list again is a new consent to information SMS from this tenant.
  if (subscription.subscriber.channel === 'sms') {
    await query(em, 'delete from sms_opt_out where tenant_id = ? and phone = ?', [subscription.tenant.id, subscription.subscriber.address]);
  }
}

/** Marks a subscription left, with how, in the consent trail. */
export async function withdraw(em: EntityManager, subscriptionId: string, method: string, proof: Record<string, unknown>): Promise<void> {
  const [row] = await query<{ tenant_id: string }>(
    em,
    `update subscription set status = 'unsubscribed', unsubscribed_at = now(), unsubscribed_via = ?, updated_at = now()
      where id = ? and status <> 'unsubscribed' returning tenant_id`,
    [method, subscriptionId],
  );
  if (row) await recordEvent(em, row.tenant_id, subscriptionId, 'withdrawn', method, proof);
}

/** Appends one entry to the consent trail. */
export async function recordEvent(em: EntityManager, tenantId: string, subscriptionId: string, kind: string, method: string, proof: Record<string, unknown>): Promise<void> {
  await query(em, 'insert into subscription_event (id, tenant_id, subscription_id, kind, method, proof) values (?, ?, ?, ?, ?, ?)', [
    randomUUID(),
    tenantId,
    subscriptionId,
    kind,
    method,
    JSON.stringify(proof),
  ]);
}
