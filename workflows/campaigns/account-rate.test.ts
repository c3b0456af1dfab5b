import { afterAll, describe, expect, it } from 'vitest';
import { startDevSmsc } from '@/dev/smsc-simulator/dev';
import { env } from '@/domain/env';
import { closeAllORMs } from '@/domain/orm';
import { newId } from '@/temporal/testing/cli';
import { approvedCampaign, campaignTenant, rateAtSmsc, seedSmsSubscribers, startCampaign } from '@/temporal/testing/campaigns';
import { startWorkerProcess } from '@/temporal/testing/services';

afterAll(() => closeAllORMs());

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
    const e = env();
    const workerEnv = {
      DATABASE_URL: e.DATABASE_URL!,
      TEMPORAL_ADDRESS: e.TEMPORAL_ADDRESS!,
      SMTP_URL: e.SMTP_URL!,
      PUBLIC_URL: e.PUBLIC_URL,
      TEMPORAL_TASK_QUEUE: queue,
      SMPP_URL: `${smsc.env.SMPP_URL}?rate=${RATE}`,
    };
    const workers: Array<Awaited<ReturnType<typeof startWorkerProcess>>> = [];
    try {
      workers.push(await startWorkerProcess(workerEnv), await startWorkerProcess(workerEnv));
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
