import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevSmsc } from '@/dev/smsc-simulator/dev';
import { env } from '@/domain/env';
import { closeAllORMs } from '@/domain/orm';
import { newId } from '@/temporal/testing/cli';
import { approvedCampaign, campaignTenant, optOut, rateAtSmsc, recipientStatuses, seedSmsSubscribers, smsCountsTo, startCampaign } from '@/temporal/testing/campaigns';
import { eventually } from '@/temporal/testing/fixtures';
import { startWorkerProcess } from '@/temporal/testing/services';
import { cancelCampaignUpdate, pauseCampaignUpdate, resumeCampaignUpdate, type CampaignSummary } from './definitions';

afterAll(() => closeAllORMs());

/** Recipients of the run: 3,000 keep the test near half a minute on two cores; RELAIS_KILL_TEST_RECIPIENTS=10000 runs the size. */
const RECIPIENTS = Number(process.env.RELAIS_KILL_TEST_RECIPIENTS ?? 3_000);
const STOPPED = 100;
/** Time limits grow with the run's size. */
const SCALE = Math.max(1, RECIPIENTS / 3_000);

/** A worker process of the test stack on its own task queue, sending through `smppUrl` (the account's rate in it). */
function workerEnv(taskQueue: string, smppUrl: string): Record<string, string> {
  const e = env();
  return { DATABASE_URL: e.DATABASE_URL!, TEMPORAL_ADDRESS: e.TEMPORAL_ADDRESS!, SMTP_URL: e.SMTP_URL!, PUBLIC_URL: e.PUBLIC_URL, TEMPORAL_TASK_QUEUE: taskQueue, SMPP_URL: smppUrl };
}

// The account's rate is raised for the kill test's worker so the run is short; the bucket and the gateway still apply it.
const killTestWorkerEnv = (taskQueue: string) => workerEnv(taskQueue, `${env().SMPP_URL}?rate=1000`);

describe('campaign after a worker kill (kill -9 half-way)', () => {
  it('every recipient gets the SMS exactly once, none of those who sent STOP', async () => {
    const queue = `relais-campaign-kill-${newId().slice(0, 8)}`;
    const tenant = await campaignTenant();
    const phones = await seedSmsSubscribers(tenant.slug, 'alertes', RECIPIENTS);
    const stopped = new Set(phones.filter((_, i) => i % (RECIPIENTS / STOPPED) === 7));
    await optOut(tenant.slug, [...stopped]);
    const input = await approvedCampaign(tenant, { body: 'Alerte : tempête cette nuit, restez chez vous.' });

    let worker = await startWorkerProcess(killTestWorkerEnv(queue));
    try {
      const handle = await startCampaign({ ...input, batchSize: 500 }, queue);
      // Killed in the middle of a batch: at least a third of the list done, and a batch heartbeating its progress.
      await eventually(async () => {
        const statuses = await recipientStatuses(input.campaignId);
        expect((statuses.sent ?? 0) + (statuses.opted_out ?? 0)).toBeGreaterThanOrEqual(RECIPIENTS / 3);
        const [pending] = (await handle.describe()).raw.pendingActivities ?? [];
        const payload = pending?.heartbeatDetails?.payloads?.[0];
        expect(payload && defaultPayloadConverter.fromPayload<{ done: number }>(payload).done).toBeGreaterThan(0);
      }, 120_000 * SCALE, 20);
      worker.child.kill('SIGKILL');
      await new Promise((resolve) => worker.child.once('exit', resolve));
      const statusesAtKill = await recipientStatuses(input.campaignId);
      expect(statusesAtKill.queued).toBeGreaterThan(0);

      worker = await startWorkerProcess(killTestWorkerEnv(queue));
      const summary: CampaignSummary = await handle.result();
      expect(summary).toEqual({ state: 'done', recipients: RECIPIENTS, sent: RECIPIENTS - STOPPED, optedOut: STOPPED, failed: 0, cancelled: 0 });

      const counts = await smsCountsTo(phones);
      const twice = [...counts].filter(([, n]) => n > 1).map(([phone]) => phone);
      const missing = [...counts].filter(([phone, n]) => n === 0 && !stopped.has(phone));
      const toStopped = [...counts].filter(([phone, n]) => n > 0 && stopped.has(phone));
      // A submit_sm the SMSC accepted in the instant before the killed worker recorded it is claimed again once its
      // lease runs out; the SMSC's receipt for it, kept unmatched, tells the new claim it was sent.
      expect({ missing, toStopped, twice }).toEqual({ missing: [], toStopped: [], twice: [] });

      // The kill really cut a batch: it ran again on the new worker.
      const history = await handle.fetchHistory();
      const attempts = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
      expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
    } finally {
      await worker.stop();
    }
  }, 240_000 * SCALE);
});

// In the file of the kill test, not a file of its own: both run worker processes, and beside the kill test (a worker at
// 1,000 SMS/s, killed and started again) the two rate workers measured 69–78/s on two cores.
const RATE = 80;
// The issue measures a minute, which `npm run bench:broadcast` does; 20 s here keeps the CI run short. The first
// seconds are left out: the workers' first batches start and the bucket's initial burst goes out. The most submit_sm
// in one second is printed by the bench, not asserted here: on loaded cores the simulator's own pauses stamp PDUs
// that arrived apart in one bunch (up to 102 in a second at a load average of 13, with grants then of at most 88 in a second).
const WINDOW_SECONDS = 20;
const SKIP_SECONDS = 3;

describe('one rate per operator account, whatever the number of workers', () => {
  it('two worker processes sending one campaign hold the account at 80 submit_sm/s ± 2 % at the simulator', async () => {
    // A simulator of its own: the account's bucket is this test's alone, and every submit_sm it sees is this campaign's.
    const smsc = await startDevSmsc();
    const queue = `relais-campaign-rate-${newId().slice(0, 8)}`;
    const rateWorkerEnv = workerEnv(queue, `${smsc.env.SMPP_URL}?rate=${RATE}`);
    const workers: Array<Awaited<ReturnType<typeof startWorkerProcess>>> = [];
    try {
      workers.push(await startWorkerProcess(rateWorkerEnv), await startWorkerProcess(rateWorkerEnv));
      const tenant = await campaignTenant();
      const count = RATE * (SKIP_SECONDS + WINDOW_SECONDS + 3);
      const phones = new Set(await seedSmsSubscribers(tenant.slug, 'alertes', count));
      const input = await approvedCampaign(tenant, { body: 'Collecte des encombrants lundi matin : sortez-les dimanche soir.' });
      // Batches of 200 end and start all along the window, as a long campaign's do.
      const handle = await startCampaign({ ...input, batchSize: 200 }, queue);
      expect(await handle.result()).toMatchObject({ state: 'done', sent: count });

      const submitted = smsc.simulator.submitted.filter((m) => phones.has(m.to));
      expect(submitted).toHaveLength(count);
      const rate = rateAtSmsc(
        submitted.map((m) => m.acceptedAt),
        { skipSeconds: SKIP_SECONDS, seconds: WINDOW_SECONDS },
      );
      expect(rate.coversWindow).toBe(true);
      expect(rate.perSecond).toBeGreaterThanOrEqual(RATE * 0.98);
      expect(rate.perSecond).toBeLessThanOrEqual(RATE * 1.02);

      // Both workers sent: the campaign's batches ran on the two of them.
      const events = (await handle.fetchHistory()).events ?? [];
      const identities = new Set(events.flatMap((event) => (event.activityTaskStartedEventAttributes ? [event.activityTaskStartedEventAttributes.identity] : [])));
      expect(identities.size).toBe(2);
    } finally {
      for (const worker of workers) await worker.stop();
      await smsc.stop();
    }
  }, 180_000);
});

describe('a pause or a cancellation stops the batches under way', () => {
  it('stops sending within a few tokens of the pause, sends the rest once on resume; a cancellation stops the same way', async () => {
    // At 10 SMS/s on an account of its own, the four batches in flight hold every recipient: without being stopped,
    // they would send them all after the pause.
    const smsc = await startDevSmsc();
    const queue = `relais-campaign-pause-${newId().slice(0, 8)}`;
    const worker = await startWorkerProcess(workerEnv(queue, `${smsc.env.SMPP_URL}?rate=10`));
    const actor = { agentId: '00000000-0000-4000-8000-000000000000' };
    try {
      const tenant = await campaignTenant();
      const sentTo = (phones: Set<string>) => smsc.simulator.submitted.filter((m) => phones.has(m.to) && (m.concat?.sequence ?? 1) === 1).length;

      const phones = new Set(await seedSmsSubscribers(tenant.slug, 'alertes', 200));
      const input = await approvedCampaign(tenant, { body: 'Travaux rue des Lilas : circulation alternée lundi.' });
      const handle = await startCampaign({ ...input, batchSize: 200 }, queue);
      await eventually(async () => expect(sentTo(phones)).toBeGreaterThanOrEqual(10), 60_000, 20);
      expect(await handle.executeUpdate(pauseCampaignUpdate, { args: [actor] })).toMatchObject({ phase: 'paused' });
      const atPause = sentTo(phones);
      const stopped = await eventually(async () => {
        expect((await handle.describe()).raw.pendingActivities ?? []).toHaveLength(0);
        return recipientStatuses(input.campaignId);
      }, 60_000);
      const afterStop = sentTo(phones);
      // The sends already past their tokens go out, then nothing: a few seconds' worth at most, not the 200 in flight.
      expect(afterStop - atPause).toBeLessThanOrEqual(40);
      expect(stopped.queued).toBe(200 - afterStop);
      const history = (await handle.fetchHistory()).events ?? [];
      expect(history.some((event) => event.activityTaskCancelRequestedEventAttributes)).toBe(true);

      expect(await handle.executeUpdate(resumeCampaignUpdate, { args: [actor] })).toMatchObject({ phase: 'running' });
      expect(await handle.result()).toMatchObject({ state: 'done', recipients: 200, sent: 200 });
      const firsts = smsc.simulator.submitted.filter((m) => phones.has(m.to) && (m.concat?.sequence ?? 1) === 1).map((m) => m.to);
      expect(firsts).toHaveLength(200);
      expect(new Set(firsts).size).toBe(200);

      // The list has 400 subscribers now; the second campaign's messages are told by their text.
      await seedSmsSubscribers(tenant.slug, 'alertes', 200);
      const body = 'Fête de quartier samedi : place du marché à 15 h.';
      const sentOfSecond = () => smsc.simulator.submitted.filter((m) => m.text.startsWith(body) && (m.concat?.sequence ?? 1) === 1).length;
      const second = await approvedCampaign(tenant, { body });
      const cancelled = await startCampaign({ ...second, batchSize: 400 }, queue);
      await eventually(async () => expect(sentOfSecond()).toBeGreaterThanOrEqual(10), 60_000, 20);
      await cancelled.executeUpdate(cancelCampaignUpdate, { args: [actor] });
      const atCancel = sentOfSecond();
      const summary: CampaignSummary = await cancelled.result();
      expect(sentOfSecond() - atCancel).toBeLessThanOrEqual(40);
      expect(summary).toMatchObject({ state: 'cancelled', recipients: 400, sent: sentOfSecond(), cancelled: 400 - sentOfSecond() });
    } finally {
      await worker.stop();
      await smsc.stop();
    }
  }, 180_000);
});
