import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { CampaignState } from '@/domain/entities';
import { finishCampaignRun, sendCampaignBatch, setCampaignState, startCampaignRun, type CampaignBatchResult } from '@/domain/campaigns/sending';
import type { BroadcastPriority, RateBucket } from '@/domain/sms/rate-bucket';
import { createInformationSender } from '@/domain/subscriptions/delivery';
import type { EmailSender } from '@/integrations/mail/smtp';
import type { SmsChannel } from '@/integrations/smpp/channel';

const HEARTBEAT_EVERY_MS = 200;

/** Dependencies of the campaign activities. */
export interface CampaignActivityDeps {
  orm: MikroORM;
  email: EmailSender;
  /** The worker's SMS channel (activity flavour: a refusal is a non-retryable SmsRejected); absent without SMPP_URL. */
  sms?: SmsChannel;
  /** The operator account's deployment-wide rate; without it only the gateway's per-process limit applies. */
  rate?: RateBucket;
  publicUrl: string;
}

/** Activities of the campaign workflow: snapshot, batches through the one information sender, state, summary. */
export function createCampaignActivities(deps: CampaignActivityDeps) {
  const heartbeat = (details?: unknown) => Context.current().heartbeat(details);
  const senderFor = (priority: BroadcastPriority) =>
    createInformationSender({
      orm: deps.orm,
      email: deps.email,
      publicUrl: deps.publicUrl,
      sendSms:
        deps.sms &&
        ((sms) =>
          deps.sms!.send(sms, {
            // Tokens per submit_sm (a long SMS costs one per segment), taken once the claim allows the send, just
            // before it: the rate at the SMSC is the bucket's, and a batch run again spends none on SMS already sent.
            // A pause or a cancellation stops a send still waiting for its tokens.
            beforeSubmit:
              deps.rate &&
              ((segments) =>
                deps.rate!.take(segments, priority, () => {
                  heartbeat();
                  Context.current().cancellationSignal.throwIfAborted();
                })),
          })),
    });
  const senders = { emergency: senderFor('emergency'), campaign: senderFor('campaign') };
  return {
    /** Takes the recipient snapshot and marks the campaign running (idempotent). */
    startCampaignRun: (input: { campaignId: string }) => startCampaignRun(deps.orm, input.campaignId),
    /** Projects the workflow's state to the campaign row. */
    setCampaignState: (input: { campaignId: string; state: CampaignState }) => setCampaignState(deps.orm, input.campaignId, input.state),
    /** Sends a batch of queued recipients (a range of positions, or the next ones), heartbeating the count done. */
    sendCampaignBatch: async (input: { campaignId: string; emergency: boolean; size: number; fromPosition?: number }): Promise<CampaignBatchResult> => {
      const { cancellationSignal } = Context.current();
      // The worker sends a heartbeat to the server once a second at most; the count is handed over a few times a
      // second rather than after each of thousands of sends a second.
      let beatAt = 0;
      const progress = (done: number) => {
        const now = Date.now();
        if (now - beatAt < HEARTBEAT_EVERY_MS) return;
        beatAt = now;
        heartbeat({ done });
      };
      // Stopped by a pause or a cancellation (whether between two sends or in one waiting for its tokens): what it sent
      // is recorded, the rest of its range is still queued, and the activity ends cancelled, never failed and retried.
      const stopped = () => new CancelledFailure('Campaign batch stopped');
      const result = await sendCampaignBatch(
        {
          orm: deps.orm,
          sendInformation: input.emergency ? senders.emergency : senders.campaign,
          isPermanent: (error) => error instanceof ApplicationFailure && error.nonRetryable === true,
          onProgress: progress,
          signal: cancellationSignal,
        },
        { campaignId: input.campaignId, size: input.size, fromPosition: input.fromPosition },
      ).catch((error: unknown) => {
        throw cancellationSignal.aborted ? stopped() : error;
      });
      if (cancellationSignal.aborted) throw stopped();
      return result;
    },
    /** Ends the run and counts its outcomes. */
    finishCampaignRun: (input: { campaignId: string; outcome: 'done' | 'cancelled' }) => finishCampaignRun(deps.orm, input.campaignId, input.outcome),
  };
}

/** The activity functions, as workflows see their types. */
export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
