import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Subscription } from '@/domain/entities';
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
  const lookups = new GroupCommit((ids: string[]) => loadSendTimeState(deps.orm, ids), { maxBatch: 500 });
  return async function sendInformation(message: InformationMessage): Promise<DeliveryOutcome> {
    const state = (await lookups.push(message.subscriptionId)).get(message.subscriptionId);
    if (!state || state.subscription.status !== 'active' || state.smsOptedOut) return 'opted_out';
    const { subscription } = state;
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
        encoded: encodeSms(text),
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

/** A subscription as a send finds it, and whether its mobile number sent STOP to the tenant. */
interface SendTimeState {
  subscription: Subscription;
  smsOptedOut: boolean;
}

/** The subscriptions of messages about to leave, with their tenant, list and subscriber, and the STOPs among them. */
async function loadSendTimeState(orm: MikroORM, ids: readonly string[]): Promise<Map<string, SendTimeState>> {
  const em = orm.em.fork();
  const subscriptions = await em.find(Subscription, { id: { $in: [...new Set(ids)] } }, { populate: ['tenant', 'list', 'subscriber'] });
  const phones = subscriptions.filter((s) => s.subscriber.channel === 'sms');
  const stopped = new Set<string>();
  if (phones.length) {
    const rows = await query<{ tenant_id: string; phone: string }>(
      em,
      'select tenant_id, phone from sms_opt_out where tenant_id = any(?::uuid[]) and phone = any(?::text[])',
      [pgArray([...new Set(phones.map((s) => s.tenant.id))]), pgArray(phones.map((s) => s.subscriber.address))],
    );
    for (const row of rows) stopped.add(`${row.tenant_id} ${row.phone}`);
  }
  return new Map(
    subscriptions.map((subscription) => [
      subscription.id,
      { subscription, smsOptedOut: subscription.subscriber.channel === 'sms' && stopped.has(`${subscription.tenant.id} ${subscription.subscriber.address}`) },
    ]),
  );
}

async function loadSubscription(em: EntityManager, id: string): Promise<Subscription | null> {
  return em.findOne(Subscription, { id }, { populate: ['tenant', 'list', 'subscriber'] });
}
