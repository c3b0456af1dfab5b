import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { campaignProgress } from '@/domain/campaigns/campaigns';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { approvedCampaign, campaignTenant, optOut, recipientStatuses, seedSmsSubscribers, smsCountsTo, startCampaign } from '@/temporal/testing/campaigns';
import { eventually } from '@/temporal/testing/fixtures';
import { CAMPAIGN_HISTORIES_DIR, keepHistory } from '@/temporal/testing/histories';
import { smsTexts } from '@/temporal/testing/subscriptions';
import { campaignStateQuery, cancelCampaignUpdate, pauseCampaignUpdate, resumeCampaignUpdate, type CampaignSummary } from './definitions';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
afterAll(() => closeAllORMs());

const actor = { agentId: '00000000-0000-4000-8000-000000000000' };

describe('campaign workflow (worker of the test stack, SMSC simulator)', () => {
  it('sends once to every active subscriber and to none who sent STOP, over batches and continue-as-new', async () => {
    const tenant = await campaignTenant();
    const phones = await seedSmsSubscribers(tenant.slug, 'alertes', 120);
    const stopped = phones.slice(0, 10);
    await optOut(tenant.slug, stopped);
    const input = await approvedCampaign(tenant, { body: 'Vigilance orange orages ce soir à partir de 18 h.' });
    const handle = await startCampaign({ ...input, batchSize: 25, batchesPerRun: 2 });
    const summary: CampaignSummary = await handle.result();
    await keepHistory('campaign-done', handle, CAMPAIGN_HISTORIES_DIR);

    expect(summary).toEqual({ state: 'done', recipients: 120, sent: 110, optedOut: 10, failed: 0, cancelled: 0 });
    const counts = await smsCountsTo(phones);
    for (const phone of phones) expect(counts.get(phone), phone).toBe(stopped.includes(phone) ? 0 : 1);
    const [text] = await smsTexts(phones[50]);
    expect(text).toBe('Vigilance orange orages ce soir à partir de 18 h.\nSTOP ALERTES pour ne plus recevoir ces messages');
    // Several runs: the history of each stays small whatever the list's size.
    const first = await handle.client.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    // Receipts come in: the progress counts them as delivered.
    const progress = await eventually(async () => {
      const p = await campaignProgress(await em(), input.tenantId, input.campaignId);
      expect(p.delivered).toBe(110);
      return p;
    });
    expect(progress).toMatchObject({ state: 'done', total: 120, queued: 0, sent: 110, failed: 0, optedOut: 10, percent: 100 });
  }, 120_000);

  it('pauses and resumes as updates with validators; a STOP sent while paused is honoured; a refused update leaves no trace', async () => {
    const tenant = await campaignTenant();
    const phones = await seedSmsSubscribers(tenant.slug, 'alertes', 150);
    const input = await approvedCampaign(tenant, { body: 'Coupure d’eau rue des Lilas demain de 8 h à 12 h.' });
    const handle = await startCampaign({ ...input, batchSize: 10 });

    await expect(handle.executeUpdate(resumeCampaignUpdate, { args: [actor] })).rejects.toThrow(WorkflowUpdateFailedError);
    expect(await handle.executeUpdate(pauseCampaignUpdate, { args: [actor] })).toMatchObject({ phase: 'paused' });
    await expect(handle.executeUpdate(pauseCampaignUpdate, { args: [actor] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/déjà en pause/) } });
    expect(await handle.query(campaignStateQuery)).toMatchObject({ phase: 'paused' });

    // The batch under way when the pause came ends; then nothing is sent until the resume.
    const queued = await eventually(async () => {
      const description = await handle.describe();
      expect(description.raw.pendingActivities ?? []).toHaveLength(0);
      const statuses = await recipientStatuses(input.campaignId);
      expect(statuses.queued).toBeGreaterThan(0);
      const [campaign] = await query<{ state: string }>(await em(), 'select state from campaign where id = ?', [input.campaignId]);
      expect(campaign.state).toBe('paused');
      return query<{ address: string }>(await em(), `select address from campaign_recipient where campaign_id = ? and status = 'queued' order by position desc limit 5`, [
        input.campaignId,
      ]);
    });
    const stoppedWhilePaused = queued.map((r) => r.address);
    await optOut(tenant.slug, stoppedWhilePaused);

    expect(await handle.executeUpdate(resumeCampaignUpdate, { args: [actor] })).toMatchObject({ phase: 'running' });
    const summary: CampaignSummary = await handle.result();
    await keepHistory('campaign-paused-resumed', handle, CAMPAIGN_HISTORIES_DIR);
    expect(summary).toMatchObject({ state: 'done', recipients: 150, sent: 145, optedOut: 5 });
    const counts = await smsCountsTo(phones);
    for (const phone of phones) expect(counts.get(phone), phone).toBe(stoppedWhilePaused.includes(phone) ? 0 : 1);

    // Between the pause and the resume, at most the one batch already under way ran; refused updates are not in history.
    const events = (await handle.fetchHistory()).events ?? [];
    const accepted = events.flatMap((e, index) => (e.workflowExecutionUpdateAcceptedEventAttributes ? [{ index, name: e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name }] : []));
    expect(accepted.map((a) => a.name)).toEqual(['pauseCampaign', 'resumeCampaign']);
    const batchesWhilePaused = events.slice(accepted[0].index, accepted[1].index).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendCampaignBatch');
    expect(batchesWhilePaused.length).toBeLessThanOrEqual(1);
    await expect(handle.executeUpdate(cancelCampaignUpdate, { args: [actor] })).rejects.toThrow();
  }, 120_000);

  it('cancels: the batch under way ends, the other recipients are marked cancelled and get nothing', async () => {
    const tenant = await campaignTenant();
    const phones = await seedSmsSubscribers(tenant.slug, 'alertes', 300);
    const input = await approvedCampaign(tenant, { body: 'Fête de la musique : place du marché à 19 h.' });
    const handle = await startCampaign({ ...input, batchSize: 10 });
    // Cancelled once the snapshot is taken (a cancel before it ends the campaign with no recipient at all).
    await eventually(async () => expect((await recipientStatuses(input.campaignId)).queued).toBeGreaterThan(0));
    expect(await handle.executeUpdate(cancelCampaignUpdate, { args: [actor] })).toMatchObject({ phase: 'cancelling' });
    await expect(handle.executeUpdate(pauseCampaignUpdate, { args: [actor] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/terminée/) } });
    const summary: CampaignSummary = await handle.result();
    await keepHistory('campaign-cancelled', handle, CAMPAIGN_HISTORIES_DIR);
    expect(summary.state).toBe('cancelled');
    expect(summary.cancelled).toBeGreaterThan(0);
    expect(summary.sent + summary.cancelled).toBe(300);
    const counts = await smsCountsTo(phones);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(summary.sent);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(1);
    expect((await campaignProgress(await em(), input.tenantId, input.campaignId)).state).toBe('cancelled');
  }, 120_000);

  it('waits for its scheduled time; a campaign cancelled before it sends nothing and takes no snapshot', async () => {
    const tenant = await campaignTenant();
    await seedSmsSubscribers(tenant.slug, 'alertes', 3);
    const input = await approvedCampaign(tenant, { body: 'Conseil municipal jeudi à 20 h.', scheduledAt: new Date(Date.now() + 3_600_000).toISOString() });
    const handle = await startCampaign(input);
    await eventually(async () => {
      const [campaign] = await query<{ state: string }>(await em(), 'select state from campaign where id = ?', [input.campaignId]);
      expect(campaign.state).toBe('scheduled');
    });
    expect(await handle.executeUpdate(cancelCampaignUpdate, { args: [actor] })).toMatchObject({ phase: 'cancelling' });
    expect(await handle.result()).toEqual({ state: 'cancelled', recipients: 0, sent: 0, optedOut: 0, failed: 0, cancelled: 0 });
    await keepHistory('campaign-scheduled-cancelled', handle, CAMPAIGN_HISTORIES_DIR);
  }, 60_000);
});
