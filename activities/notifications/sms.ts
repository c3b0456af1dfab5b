import { ApplicationFailure } from '@temporalio/activity';
import type { SmsChannel } from '@/integrations/smpp/channel';
import { SmppError } from '@/integrations/smpp/errors';

/** The SMS channel as activities send through it: an SMS the SMSC refused fails the activity for good, without retries. */
export function smsActivityChannel(channel: SmsChannel): SmsChannel {
  return {
    async send(draft) {
      try {
        return await channel.send(draft);
      } catch (error) {
        if (!(error instanceof SmppError) || error.retryable) throw error;
        throw ApplicationFailure.create({ message: error.message, type: 'SmsRejected', nonRetryable: true, cause: error });
      }
    },
  };
}
