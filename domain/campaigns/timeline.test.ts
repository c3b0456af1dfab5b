import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { NotFoundError } from '@/domain/validation';
import { campaignActor, campaignTenant } from '@/temporal/testing/campaigns';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { composeCampaign } from './campaigns';
import { MAX_POINTS, campaignTimeline, cumulate } from './timeline';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let other: Awaited<ReturnType<typeof createTestTenant>>;

beforeAll(async () => {
  [tenant, other] = await Promise.all([campaignTenant(), campaignTenant()]);
});
afterAll(() => closeAllORMs());

describe('cumulate', () => {
  it('draws every minute from the first to the last, cumulated, in the tenant’s time zone', () => {
    const minute = Date.UTC(2026, 11, 5, 16, 40) / 60_000;
    const timeline = cumulate(
      [
        { minute, kind: 'sent', count: 3 },
        { minute: minute + 2, kind: 'sent', count: 2 },
        { minute: minute + 2, kind: 'delivered', count: 4 },
        { minute: minute + 3, kind: 'failed', count: 1 },
      ],
      'Europe/Paris',
    );
    expect(timeline.stepMinutes).toBe(1);
    expect(timeline.points.map((p) => [p.label, p.sent, p.delivered, p.failed])).toEqual([
      ['05/12/2026 17:40', 3, 0, 0],
      ['05/12/2026 17:41', 3, 0, 0],
      ['05/12/2026 17:42', 5, 4, 0],
      ['05/12/2026 17:43', 5, 4, 1],
    ]);
  });

  it('widens its step so that a long campaign keeps at most MAX_POINTS points, and is empty before any message', () => {
    const start = Date.UTC(2026, 11, 5, 8, 0) / 60_000;
    const counts = Array.from({ length: 600 }, (_, i) => ({ minute: start + i * 7, kind: 'sent' as const, count: 1 }));
    const timeline = cumulate(counts, 'UTC');
    expect(timeline.stepMinutes).toBe(360);
    expect(timeline.points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(timeline.points.at(-1)!.sent).toBe(600);
    expect(cumulate([], 'UTC')).toEqual({ stepMinutes: 1, points: [] });
  });
});

describe('campaignTimeline', () => {
  it('counts sendings, SMS receipts and e-mail bounces at their own times, for the campaign’s tenant only', async () => {
    const actor = await campaignActor(tenant.slug, tenant.mail('agent'), false);
    const { id } = await composeCampaign(await em(), actor, { list: 'alertes', title: 'Chronologie', body: 'Essai.' });
    const at = (minutes: number) => new Date(Date.UTC(2026, 11, 5, 9, minutes, 30)).toISOString();
    // Five recipients: two SMS delivered a minute after sending, one SMS expired, one e-mail bounced, one refused at submit.
    const recipients: Array<[number, string, string, string | null]> = [
      [1, 'sms', 'sent', at(0)],
      [2, 'sms', 'sent', at(0)],
      [3, 'sms', 'sent', at(1)],
      [4, 'email', 'sent', at(1)],
      [5, 'sms', 'failed', null],
    ];
    const db = await em();
    for (const [position, channel, status, sentAt] of recipients) {
      await query(
        db,
        `insert into campaign_recipient (campaign_id, position, subscription_id, channel, address, status, sent_at) values (?, ?, gen_random_uuid(), ?, ?, ?, ?)`,
        [id, position, channel, channel === 'sms' ? `+3370000000${position}` : `p${position}@exemple.fr`, status, sentAt],
      );
    }
    const tenantId = actor.tenantId;
    const sms = (position: number, status: string, doneAt: string) =>
      query(
        db,
        `insert into sms_message (id, tenant_id, idempotency_key, recipient, sender, text, data_coding, segment_count, status, done_at)
         values (gen_random_uuid(), ?, ?, '+33700000000', '36000', 'Essai.', 0, 1, ?, ?)`,
        [tenantId, `campaign:${id}:${position}`, status, doneAt],
      );
    await sms(1, 'delivered', at(1));
    await sms(2, 'delivered', at(1));
    await sms(3, 'expired', at(3));
    await query(
      db,
      `insert into notification (id, tenant_id, idempotency_key, channel, recipient, template, status, created_at, sent_at, bounced_at)
       values (gen_random_uuid(), ?, ?, 'email', 'p4@exemple.fr', 'campaign', 'bounced', now(), ?, ?)`,
      [tenantId, `campaign:${id}:4`, at(1), at(2)],
    );

    const timeline = await campaignTimeline(await em(), tenantId, id);
    expect(timeline.stepMinutes).toBe(1);
    expect(timeline.points.map((p) => [p.at, p.sent, p.delivered, p.failed])).toEqual([
      ['2026-12-05T09:00:00.000Z', 2, 0, 0],
      ['2026-12-05T09:01:00.000Z', 4, 2, 0],
      ['2026-12-05T09:02:00.000Z', 4, 2, 1],
      ['2026-12-05T09:03:00.000Z', 4, 2, 2],
    ]);

    const otherActor = await campaignActor(other.slug, other.mail('agent'), false);
    await expect(campaignTimeline(await em(), otherActor.tenantId, id)).rejects.toBeInstanceOf(NotFoundError);
    const fresh = await composeCampaign(await em(), actor, { list: 'alertes', title: 'Vide', body: 'Rien.' });
    expect(await campaignTimeline(await em(), tenantId, fresh.id)).toEqual({ stepMinutes: 1, points: [] });
  });
});
