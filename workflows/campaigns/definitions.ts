import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CampaignRunSummary } from '@/domain/campaigns/sending';

/**
 * Recipients per batch activity unless a run asks for fewer: at full speed (3,000 SMS/s on one worker) a batch of 500
 * lasted under a second, and the step from one batch to the next (its outcomes recorded, a workflow task, the next
 * activity polled) cost a fifth of the campaign's rate (bench:broadcast: 2,761 SMS/s with 500, 3,031 with 2,000).
 */
export const CAMPAIGN_BATCH_SIZE = 2000;
/** Batches before the workflow continues as new, so a list of any size never makes a huge history. */
export const CAMPAIGN_BATCHES_PER_RUN = 100;
/**
 * Batches in flight at once, on disjoint ranges of recipients: while one records its outcomes and the next is
 * scheduled, the others keep asking for the account's tokens (one at a time left the bucket idle at every batch's end,
 * 19 % of the rate at 80/s), and several workers share a campaign's work.
 */
export const CAMPAIGN_PARALLEL_BATCHES = 4;

/** One campaign's run; `continued` is set by the workflow itself when it continues as new. */
export interface CampaignInput {
  tenantId: string;
  campaignId: string;
  /** An alert: its SMS take the account's tokens before those of ordinary campaigns. */
  emergency: boolean;
  /** ISO time to start at; absent or past means now. */
  scheduledAt?: string;
  /** Recipients per batch and batches per run (tests use small ones to see several batches and continue-as-new). */
  batchSize?: number;
  batchesPerRun?: number;
  /**
   * Set when the workflow continues as new: `nextPosition` (the first recipient position no batch has taken yet) and
   * `recipients` are absent from runs continued before batches ran side by side; batches then start from the first.
   * `stopped` are the ranges of batches a pause stopped half-way, run again first.
   */
  continued?: { paused: boolean; batches: number; nextPosition?: number; recipients?: number; stopped?: BatchRange[] };
}

/** The recipient positions of one batch. */
export interface BatchRange {
  fromPosition: number;
  size: number;
}

/** Where the workflow stands, as its query answers. */
export interface CampaignRunState {
  phase: 'scheduled' | 'running' | 'paused' | 'cancelling' | 'finished';
  batches: number;
}

/** What a finished campaign did, recipients by outcome. */
export type CampaignSummary = CampaignRunSummary;

/** The agent behind an action, kept in the update's history. */
export interface CampaignActionInput {
  agentId: string;
}

/** Pauses sending after the batch under way; refused unless the campaign is running. */
export const pauseCampaignUpdate = defineUpdate<CampaignRunState, [CampaignActionInput]>('pauseCampaign');
/** Resumes a paused campaign; refused unless it is paused. */
export const resumeCampaignUpdate = defineUpdate<CampaignRunState, [CampaignActionInput]>('resumeCampaign');
/** Stops a campaign for good after the batch under way; recipients not reached are marked cancelled. */
export const cancelCampaignUpdate = defineUpdate<CampaignRunState, [CampaignActionInput]>('cancelCampaign');
/** The workflow's phase and batches done. */
export const campaignStateQuery = defineQuery<CampaignRunState>('campaignState');

/** The workflow id of a campaign: one run per campaign, ever. */
export function campaignWorkflowId(tenantId: string, campaignId: string): string {
  return `campaign:${tenantId}:${campaignId}`;
}
