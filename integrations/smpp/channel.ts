import { SmppError } from './errors.js';
import type { SmppGateway } from './gateway.js';
import type { SmsDraft, SmsStatus, SmsStore } from './store.js';

/** What sending one SMS did. */
export interface SmsSendOutcome {
  id: string;
  status: SmsStatus;
  segmentCount: number;
  smscMessageIds: string[];
  /** True when an earlier attempt had already completed the submit: nothing was sent this time. */
  alreadySubmitted: boolean;
}

/** What a sender may do around one send. */
export interface SmsSendOptions {
  /**
   * Runs once the claim allows the send and before the first submit_sm, with the submit_sm still to make: a rate
   * token taken here is spent at once, and none is taken for an SMS an earlier attempt already sent.
   */
  beforeSubmit?: (segments: number) => Promise<void>;
}

/** Sends SMS exactly once per idempotency key. */
export interface SmsChannel {
  send(draft: SmsDraft, options?: SmsSendOptions): Promise<SmsSendOutcome>;
}

/**
 * The SMS channel: the store keeps the state (the one status of each SMS), the gateway talks SMPP. A failure the SMSC
 * decided (a refusal) is an SmppError that is not retryable; anything else may be tried again with the same key.
 */
export function createSmsChannel(deps: { store: SmsStore; gateway: SmppGateway; onSubmitted?: (segmentCount: number) => void }): SmsChannel {
  const { store, gateway } = deps;
  return {
    async send(draft, options) {
      const claim = await store.claim(draft);
      const { sms } = claim;
      if (claim.kind === 'done') {
        return { id: sms.id, status: sms.status, segmentCount: sms.segmentCount, smscMessageIds: sms.smscMessageIds, alreadySubmitted: true };
      }
      if (claim.kind === 'busy') throw new SmppError(`SMS ${draft.idempotencyKey} is being sent by another attempt`, { retryable: true });
      const writes: Array<Promise<void>> = [];
      try {
        await options?.beforeSubmit?.(sms.segmentCount - sms.acceptedSegments.filter((id) => id !== undefined).length);
        const result = await gateway.submit({
          from: sms.from,
          to: sms.to,
          text: sms.text,
          registeredDelivery: true,
          reference: sms.udhReference,
          encoded: sms.encoded,
          acceptedSegments: sms.acceptedSegments,
          // Written the moment the SMSC answers, so a retry after a crash or a drop skips this segment. A single
          // segment is written with the status right after, in one commit: the window is the same.
          onSegmentAccepted: (index, messageId) => {
            if (sms.segmentCount > 1) writes.push(store.recordSegment(sms.id, index, messageId));
          },
          // Recorded before the gateway hands over receipts for these ids, so a receipt always finds its segment.
          record: ({ messageIds }) =>
            writes.length > 0 ? Promise.all(writes).then(() => store.markSubmitted(sms.id, messageIds)) : store.markSubmitted(sms.id, messageIds),
        });
        deps.onSubmitted?.(result.segmentCount);
        return { id: sms.id, status: 'submitted', segmentCount: result.segmentCount, smscMessageIds: result.messageIds, alreadySubmitted: false };
      } catch (error) {
        await Promise.allSettled(writes);
        const retryable = !(error instanceof SmppError) || error.retryable;
        await store.markFailed(sms.id, error as Error, !retryable);
        throw error;
      }
    },
  };
}
