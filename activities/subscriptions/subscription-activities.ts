import type { MikroORM } from '@mikro-orm/postgresql';
import type { EmailSender } from '@/integrations/mail/smtp';
import type { SmsChannel } from '@/integrations/smpp/channel';
import { createInformationSender, sendConfirmation, type DeliveryOutcome, type InformationMessage } from '@/domain/subscriptions/delivery';
import type { SubscriptionConfirmationInput } from '@/workflows/subscriptions/definitions';

/** Dependencies of the subscription activities. */
export interface SubscriptionActivityDeps {
  orm: MikroORM;
  email: EmailSender;
  /** Absent when SMPP_URL is not configured: SMS confirmations and information SMS then report 'no_channel'. */
  sms?: SmsChannel;
  publicUrl: string;
}

/** Activities sending to subscribers; information messages go through the opt-out check of createInformationSender. */
export function createSubscriptionActivities(deps: SubscriptionActivityDeps) {
  const delivery = { orm: deps.orm, email: deps.email, publicUrl: deps.publicUrl, sendSms: deps.sms && ((sms: Parameters<SmsChannel['send']>[0]) => deps.sms!.send(sms)) };
  const sendInformation = createInformationSender(delivery);
  return {
    /** The double opt-in e-mail or the SMS code of one attempt. */
    sendSubscriptionConfirmation: (input: SubscriptionConfirmationInput): Promise<DeliveryOutcome> => sendConfirmation(delivery, input),
    /** One information message to one subscriber, unless they have opted out. */
    sendInformation: (message: InformationMessage): Promise<DeliveryOutcome> => sendInformation(message),
  };
}

/** The activity functions, as workflows see their types. */
export type SubscriptionActivities = ReturnType<typeof createSubscriptionActivities>;
