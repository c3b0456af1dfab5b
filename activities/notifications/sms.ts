import { ApplicationFailure } from '@temporalio/activity';
import type { SmsChannel } from '@/integrations/smpp/channel';
import { SmppError } from '@/integrations/smpp/errors';
import type { RateBucket } from '@/domain/sms/rate-bucket';

/** The SMS channel as activities send through it: an SMS the SMSC refused fails the activity for good, without retries. */
export function smsActivityChannel(channel: SmsChannel): SmsChannel {
  return {
    async send(draft, options) {
      try {
        return await channel.send(draft, options);
      } catch (error) {
        if (!(error instanceof SmppError) || error.retryable) throw error;
        throw ApplicationFailure.create({ message: error.message, type: 'SmsRejected', nonRetryable: true, cause: error });
      }
    },
  };
}

/**
 * An SMS about a citizen's own request does not wait for the account's tokens: it takes them afterwards, the bucket
 * going into debt, so campaigns (which wait for tokens) yield to it and the account's rate still holds overall.
 */
export function debitingChannel(channel: SmsChannel, rate: RateBucket | undefined): SmsChannel {
  if (!rate) return channel;
  return {
    async send(draft, options) {
      const outcome = await channel.send(draft, options);
      // The SMS is out: a debit lost to a database hiccup only lets campaigns go a little faster for a moment.
      if (!outcome.alreadySubmitted) await rate.debit(outcome.segmentCount).catch(() => undefined);
      return outcome;
    },
  };
}
