import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Subscription, type TenantSettings } from '@/domain/entities';
import { GroupCommit } from '@/domain/group-commit';
import { sendEmailOnce, type EmailOnceOutcome } from '@/domain/notifications/email-once';
import type { EmailSender } from '@/domain/notifications/email-sender';
import { encodeSms, type EncodedSms } from '@/domain/sms/encoding';
import { smsSenderOf } from '@/domain/sms/sender';
import { pgArray, query } from '@/domain/sql';
import { oneClickUnsubscribeUrl, subscriptionPageUrl } from '@/domain/urls';
import { EMAIL_CONFIRMATION_HOURS, SMS_CODE_MINUTES, type ConfirmationToSend } from './subscriptions';
import { withStopMention } from './stop-mention';
import { confirmationCode, signLink } from './tokens';

export { withStopMention };

/** Sends one SMS exactly once per idempotency key (the SMS channel of the worker). */
export type SubscriptionSmsSender = (sms: {
  tenantId: string;
  idempotencyKey: string;
  template: string;
  to: string;
  from: string;
  text: string;
  encoded: EncodedSms;
}) => Promise<{ alreadySubmitted?: boolean }>;

/** What sending to subscribers needs: the e-mail sender, the SMS channel when SMPP is configured, the portal's address. */
export interface SubscriptionDeliveryDeps {
  orm: MikroORM;
  email: EmailSender;
  sendSms?: SubscriptionSmsSender;
  publicUrl: string;
}

/** What became of one message to a subscriber. */
export type DeliveryOutcome = 'sent' | 'already_sent' | 'uncertain' | 'opted_out' | 'superseded' | 'no_channel';

/** Idempotency key of the confirmation of one attempt. */
export function confirmationKey(confirmation: Pick<ConfirmationToSend, 'subscriptionId' | 'attempt'>): string {
  return `subscription:${confirmation.subscriptionId}:confirm:${confirmation.attempt}`;
}

/**
 * Sends the confirmation of one subscription attempt: the double opt-in link by e-mail, or the code by SMS. A later
 * attempt or a confirmation already made supersedes it: nothing is sent.
 */
export async function sendConfirmation(deps: SubscriptionDeliveryDeps, confirmation: ConfirmationToSend): Promise<DeliveryOutcome> {
  const em = deps.orm.em.fork();
  const subscription = await loadSubscription(em, confirmation.subscriptionId);
  if (!subscription || subscription.status !== 'pending' || subscription.confirmationAttempt !== confirmation.attempt) return 'superseded';
  const { tenant, list, subscriber } = subscription;
  const key = confirmationKey(confirmation);
  if (subscriber.channel === 'email') {
    const link = subscriptionPageUrl(deps.publicUrl, tenant.slug, 'confirmer', signLink('confirm', { id: subscription.id, attempt: confirmation.attempt }));
    const body = [
      'Bonjour,',
      '',
      `Vous avez demandé à recevoir la liste « ${list.label} » de ${tenant.name} à cette adresse.`,
      `Pour confirmer votre abonnement, ouvrez ce lien (valable ${EMAIL_CONFIRMATION_HOURS} heures) :`,
      link,
      '',
      'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : vous ne recevrez rien.',
      '',
      tenant.name,
    ].join('\n');
    return sendEmailOnce(em, deps.email, {
      tenantId: tenant.id,
      requestId: null,
      key,
      template: 'subscription_confirmation',
      to: subscriber.address,
      subject: `Confirmez votre abonnement : ${list.label}`,
      body,
    });
  }
  if (!deps.sendSms) return 'no_channel';
  const code = confirmationCode(subscription.id, confirmation.attempt);
  // Straight quotes: « » are not in the GSM alphabet and would make the code a two-segment UCS-2 SMS.
  const text = `${tenant.name} : votre code pour vous abonner a "${list.label}" est ${code}. Il est valable ${SMS_CODE_MINUTES} minutes.`;
  const sent = await deps.sendSms({
    tenantId: tenant.id,
    idempotencyKey: key,
    template: 'subscription_code',
    to: subscriber.address,
    from: smsSenderOf(tenant.settings),
    text,
    encoded: encodeSms(text),
  });
  return sent.alreadySubmitted ? 'already_sent' : 'sent';
}

/** An information message to one subscriber of a list (an alert, a menu, a piece of news). */
export interface InformationMessage {
  subscriptionId: string;
  /** One message per key, ever: a campaign derives it from the campaign and the recipient. */
  idempotencyKey: string;
  /** E-mail subject; SMS ignore it. */
  subject: string;
  text: string;
}

/**
 * The one way an information SMS or e-mail leaves Relais: the opt-out is checked at send time (the subscription must be
 * active, and a mobile number must not have sent STOP), every SMS says how to stop, and every e-mail carries
 * List-Unsubscribe with one-click unsubscription (RFC 8058).
 */
export function createInformationSender(deps: SubscriptionDeliveryDeps) {
  // The send-time check of every message in flight goes in one lookup: a campaign batch sends a hundred at a time, and
  // a lookup per message (subscription, then opt-out) cost two round trips each.
  const lookups = new GroupCommit((ids: string[]) => loadSendTargets(deps.orm, ids), { maxBatch: 500 });
  // A campaign's messages share a text: a single segment is encoded once, not once per recipient (a long one is encoded
  // per message, for a concatenation reference of its own).
  const encodings = new Map<string, EncodedSms>();
  const encode = (text: string) => {
    const known = encodings.get(text);
    if (known) return known;
    const encoded = encodeSms(text);
    if (encoded.segmentCount === 1) {
      if (encodings.size >= 64) encodings.clear();
      encodings.set(text, encoded);
    }
    return encoded;
  };
  return async function sendInformation(message: InformationMessage): Promise<DeliveryOutcome> {
    const subscription = (await lookups.push(message.subscriptionId)).get(message.subscriptionId);
    if (!subscription || subscription.status !== 'active' || subscription.smsOptedOut) return 'opted_out';
    const { tenant, list, subscriber } = subscription;
    if (subscriber.channel === 'sms') {
      if (!deps.sendSms) return 'no_channel';
      const text = withStopMention(message.text, list.slug, tenant.settings.smsNumber);
      const sent = await deps.sendSms({
        tenantId: tenant.id,
        idempotencyKey: message.idempotencyKey,
        template: `list:${list.slug}`.slice(0, 63),
        to: subscriber.address,
        from: smsSenderOf(tenant.settings),
        text,
        encoded: encode(text),
      });
      return sent.alreadySubmitted ? 'already_sent' : 'sent';
    }
    const unsubscribe = oneClickUnsubscribeUrl(deps.publicUrl, tenant.slug, signLink('unsubscribe', { id: subscription.id }));
    const preferences = subscriptionPageUrl(deps.publicUrl, tenant.slug, 'preferences', signLink('preferences', { id: subscriber.id }));
    const body = [
      message.text,
      '',
      '--',
      `Vous recevez ce message car vous êtes abonné(e) à « ${list.label} » de ${tenant.name}.`,
      `Se désabonner ou choisir ses listes : ${preferences}`,
    ].join('\n');
    const outcome: EmailOnceOutcome = await sendEmailOnce(deps.orm.em.fork(), deps.email, {
      tenantId: tenant.id,
      requestId: null,
      key: message.idempotencyKey,
      template: `list:${list.slug}`.slice(0, 63),
      to: subscriber.address,
      subject: message.subject,
      body,
      headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
    return outcome;
  };
}

/** A subscription as a send finds it: what the message needs of its tenant, list and subscriber, and the STOP check. */
interface SendTarget {
  id: string;
  status: string;
  subscriber: { id: string; channel: string; address: string };
  tenant: { id: string; slug: string; name: string; settings: TenantSettings };
  list: { slug: string; label: string };
  smsOptedOut: boolean;
}

/**
 * The subscriptions of messages about to leave, with the STOPs among them. Raw SQL, measured hot path: loading them as
 * entities with their tenant, list and subscriber cost a campaign about 230 µs of CPU per recipient.
 */
async function loadSendTargets(orm: MikroORM, ids: readonly string[]): Promise<Map<string, SendTarget>> {
  const rows = await query<{
    id: string;
    status: string;
    subscriber_id: string;
    channel: string;
    address: string;
    tenant_id: string;
    tenant_slug: string;
    tenant_name: string;
    tenant_settings: TenantSettings;
    list_slug: string;
    list_label: string;
    sms_opted_out: boolean;
  }>(
    orm.em.fork(),
    `select s.id, s.status, p.id as subscriber_id, p.channel, p.address,
            t.id as tenant_id, t.slug as tenant_slug, t.name as tenant_name, t.settings as tenant_settings, l.slug as list_slug, l.label as list_label,
            (p.channel = 'sms' and exists (select 1 from sms_opt_out o where o.tenant_id = s.tenant_id and o.phone = p.address)) as sms_opted_out
       from subscription s
       join subscriber p on p.id = s.subscriber_id
       join subscription_list l on l.id = s.list_id
       join tenant t on t.id = s.tenant_id
      where s.id = any(?::uuid[])`,
    [pgArray([...new Set(ids)])],
  );
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        status: row.status,
        subscriber: { id: row.subscriber_id, channel: row.channel, address: row.address },
        tenant: { id: row.tenant_id, slug: row.tenant_slug, name: row.tenant_name, settings: row.tenant_settings },
        list: { slug: row.list_slug, label: row.list_label },
        smsOptedOut: row.sms_opted_out,
      },
    ]),
  );
}

async function loadSubscription(em: EntityManager, id: string): Promise<Subscription | null> {
  return em.findOne(Subscription, { id }, { populate: ['tenant', 'list', 'subscriber'] });
}
