import { LockMode } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Campaign, type CampaignRecipientStatus, type CampaignState } from '@/domain/entities';
import { pgArray, query } from '@/domain/sql';
import type { DeliveryOutcome, InformationMessage } from '@/domain/subscriptions/delivery';
import { campaignMessageKey } from './campaigns';

/** Where a campaign's run starts: the recipients of its snapshot, or the state that stops it. */
export interface CampaignRunStart {
  state: CampaignState;
  recipients: number;
}

/**
 * Takes the recipient snapshot (the list's active subscriptions on the campaign's channels, in a stable order) and
 * marks the campaign running. Idempotent: a retry after a crash finds the snapshot and the state already there.
 */
export async function startCampaignRun(orm: MikroORM, campaignId: string): Promise<CampaignRunStart> {
  return orm.em.fork().transactional(async (em) => {
    const campaign = await em.findOneOrFail(Campaign, { id: campaignId }, { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['list'] });
    if (campaign.state === 'approved' || campaign.state === 'scheduled') {
      await query(
        em,
        `insert into campaign_recipient (campaign_id, position, subscription_id, channel, address)
         select ?, row_number() over (order by s.created_at, s.id), s.id, p.channel, p.address
           from subscription s join subscriber p on p.id = s.subscriber_id
          where s.list_id = ? and s.status = 'active' and p.channel = any(?::text[])
         on conflict do nothing`,
        [campaignId, campaign.list.id, `{${campaign.channels.join(',')}}`],
      );
      const [{ n }] = await query<{ n: string }>(em, 'select count(*) as n from campaign_recipient where campaign_id = ?', [campaignId]);
      campaign.recipientCount = Number(n);
      campaign.state = 'running';
      campaign.startedAt = new Date();
    }
    return { state: campaign.state, recipients: campaign.recipientCount };
  });
}

/** Projects the workflow's state (scheduled, paused, running again) to the campaign row the console lists. */
export async function setCampaignState(orm: MikroORM, campaignId: string, state: CampaignState): Promise<void> {
  await query(orm.em.fork(), `update campaign set state = ?, updated_at = now() where id = ? and state not in ('done', 'cancelled')`, [state, campaignId]);
}

/**
 * Sends in flight per batch: each waits on its round trips (the send-time check and the SMS claim, both gathered with
 * the other sends', then submit_sm): with four batches side by side, 1,000 in flight per worker. With 125 (500 in
 * flight, as bench:sms's Relais path has) the campaign sent at 75 % of that path's rate, whose sends have no
 * send-time check to wait for; with 250, at 98 %. The account's rate is held by the token bucket, not by this number.
 */
const CAMPAIGN_SEND_CONCURRENCY = 250;

/** What a batch did. */
export interface CampaignBatchResult {
  processed: number;
  /** Recipients still queued after this batch; for a batch of a range of positions, those after its range. */
  remaining: number;
  /** Recipients of the campaign's snapshot. */
  recipients: number;
}

/** What sending a batch needs: the one information sender (opt-out checked at send time) and how to read a failure. */
export interface CampaignBatchDeps {
  orm: MikroORM;
  sendInformation(message: InformationMessage): Promise<DeliveryOutcome>;
  /** A failure that trying again will not cure (the SMSC refused the number): the recipient is marked failed. */
  isPermanent(error: unknown): boolean;
  /** Called after each recipient, with how many are done in this batch. */
  onProgress?(done: number): void;
  /** Aborted by a pause or a cancellation: no recipient is started after it, what was sent is recorded. */
  signal?: AbortSignal;
}

/** Which recipients a batch sends to. */
export interface CampaignBatchInput {
  campaignId: string;
  size: number;
  /**
   * The first position of the batch's range (`size` positions from it): batches in flight side by side never share a
   * recipient. Without it, the next `size` queued recipients (one batch at a time).
   */
  fromPosition?: number;
  concurrency?: number;
}

/**
 * Sends a batch of a campaign's queued recipients, CAMPAIGN_SEND_CONCURRENCY at a time. Each message's idempotency
 * key is the campaign and the recipient, so a batch cut by a crash and run again sends nothing twice: the SMS store
 * and the e-mail claim answer 'already_sent'. Outcomes are written as they come; a transient failure stops the batch (the
 * activity retries it) after recording what was done.
 */
export async function sendCampaignBatch(deps: CampaignBatchDeps, input: CampaignBatchInput): Promise<CampaignBatchResult> {
  const em = deps.orm.em.fork();
  const campaign = await em.findOneOrFail(Campaign, { id: input.campaignId });
  const ranged = input.fromPosition !== undefined;
  const recipients = await query<{ position: number; subscription_id: string }>(
    em,
    ranged
      ? `select position, subscription_id from campaign_recipient where campaign_id = ? and status = 'queued' and position >= ? and position < ? order by position`
      : `select position, subscription_id from campaign_recipient where campaign_id = ? and status = 'queued' order by position limit ?`,
    ranged ? [input.campaignId, input.fromPosition, input.fromPosition! + input.size] : [input.campaignId, input.size],
  );
  const outcomes: Array<{ position: number; status: CampaignRecipientStatus; error: string | null }> = [];
  let failure: unknown;
  let next = 0;
  const worker = async () => {
    while (failure === undefined && !deps.signal?.aborted && next < recipients.length) {
      const recipient = recipients[next++];
      try {
        const outcome = await deps.sendInformation({
          subscriptionId: recipient.subscription_id,
          idempotencyKey: campaignMessageKey(input.campaignId, recipient.position),
          subject: campaign.subject,
          text: campaign.body,
        });
        outcomes.push({ position: recipient.position, status: recipientStatus(outcome), error: null });
      } catch (error) {
        if (!deps.isPermanent(error)) {
          failure ??= error;
          return;
        }
        outcomes.push({ position: recipient.position, status: 'failed', error: (error as Error).message.slice(0, 500) });
      }
      deps.onProgress?.(outcomes.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(input.concurrency ?? CAMPAIGN_SEND_CONCURRENCY, Math.max(1, recipients.length)) }, worker));
  await recordOutcomes(em, input.campaignId, outcomes);
  if (failure !== undefined) throw failure;
  if (ranged) return { processed: outcomes.length, remaining: Math.max(0, campaign.recipientCount - (input.fromPosition! + input.size - 1)), recipients: campaign.recipientCount };
  const [{ n }] = await query<{ n: string }>(em, `select count(*) as n from campaign_recipient where campaign_id = ? and status = 'queued'`, [input.campaignId]);
  return { processed: outcomes.length, remaining: Number(n), recipients: campaign.recipientCount };
}

/** What a campaign did, once finished: recipients by outcome. */
export interface CampaignRunSummary {
  state: 'done' | 'cancelled';
  recipients: number;
  sent: number;
  optedOut: number;
  failed: number;
  cancelled: number;
}

/** Ends the run: recipients not reached by a cancelled campaign are marked so; the summary counts every outcome. */
export async function finishCampaignRun(orm: MikroORM, campaignId: string, outcome: 'done' | 'cancelled'): Promise<CampaignRunSummary> {
  return orm.em.fork().transactional(async (em) => {
    if (outcome === 'cancelled') await query(em, `update campaign_recipient set status = 'cancelled' where campaign_id = ? and status = 'queued'`, [campaignId]);
    await query(em, `update campaign set state = ?, finished_at = coalesce(finished_at, now()), updated_at = now() where id = ?`, [outcome, campaignId]);
    const rows = await query<{ status: CampaignRecipientStatus; n: string }>(
      em,
      'select status, count(*) as n from campaign_recipient where campaign_id = ? group by status',
      [campaignId],
    );
    const of = (...statuses: CampaignRecipientStatus[]) => rows.filter((r) => statuses.includes(r.status)).reduce((sum, r) => sum + Number(r.n), 0);
    return {
      state: outcome,
      recipients: rows.reduce((sum, r) => sum + Number(r.n), 0),
      sent: of('sent'),
      optedOut: of('opted_out', 'no_channel'),
      failed: of('failed'),
      cancelled: of('cancelled'),
    };
  });
}

function recipientStatus(outcome: DeliveryOutcome): CampaignRecipientStatus {
  switch (outcome) {
    case 'sent':
    case 'already_sent':
    case 'uncertain':
      return 'sent';
    case 'no_channel':
      return 'no_channel';
    case 'opted_out':
    case 'superseded':
      return 'opted_out';
  }
}

async function recordOutcomes(em: EntityManager, campaignId: string, outcomes: ReadonlyArray<{ position: number; status: string; error: string | null }>) {
  if (!outcomes.length) return;
  // One statement for the whole batch: the positions, statuses and errors travel as three arrays.
  await query(
    em,
    `update campaign_recipient r set status = o.status, error = o.error, sent_at = case when o.status = 'sent' then now() end
       from unnest(?::int[], ?::text[], ?::text[]) as o(position, status, error)
      where r.campaign_id = ? and r.position = o.position and r.status = 'queued'`,
    [pgArray(outcomes.map((o) => String(o.position))), pgArray(outcomes.map((o) => o.status)), pgArray(outcomes.map((o) => o.error)), campaignId],
  );
}
