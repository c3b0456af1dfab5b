import type { EntityManager } from '@mikro-orm/postgresql';
import { Tenant } from '@/domain/entities';
import { formatShortDateTime } from '@/domain/format/french';
import { query } from '@/domain/sql';
import { loadCampaign } from './campaigns';

/** One step of a campaign's timeline: messages sent, delivered and failed after sending, cumulated up to its end. */
export interface CampaignTimelinePoint {
  /** Start of the step, ISO. */
  at: string;
  /** The step's start in the tenant's time zone, "05/12/2026 17:42". */
  label: string;
  sent: number;
  delivered: number;
  failed: number;
}

/** A campaign over time, in steps of `stepMinutes`; empty before its first message. */
export interface CampaignTimeline {
  stepMinutes: number;
  points: CampaignTimelinePoint[];
}

/** Widths a timeline steps by: the smallest that keeps it within MAX_POINTS. */
const STEPS_MINUTES = [1, 5, 15, 60, 360, 1440, 10080];
/** Most points a chart draws: beyond, its bars and ticks can no longer be read. */
export const MAX_POINTS = 60;

type Kind = 'sent' | 'delivered' | 'failed';

/**
 * Messages sent, delivered and failed after sending, cumulated over time from the recipients' timestamps and the
 * receipts of their SMS and e-mails. Delivery of an e-mail has no time of its own: it counts at its sending.
 */
export async function campaignTimeline(em: EntityManager, tenantId: string, id: string): Promise<CampaignTimeline> {
  await loadCampaign(em, tenantId, id);
  // Aggregated in PostgreSQL: a campaign has up to hundreds of thousands of recipients, the chart needs minutes.
  const rows = await query<{ minute: string; kind: Kind; n: string }>(
    em,
    `select floor(extract(epoch from e.at) / 60)::bigint as minute, e.kind, count(*) as n
       from campaign_recipient r
       join campaign c on c.id = r.campaign_id and c.tenant_id = ?
       left join sms_message m on r.channel = 'sms' and m.idempotency_key = 'campaign:' || r.campaign_id || ':' || r.position
       left join notification n on r.channel = 'email' and n.idempotency_key = 'campaign:' || r.campaign_id || ':' || r.position
       cross join lateral (values
         (r.sent_at, 'sent'),
         (case when coalesce(m.status, n.status) = 'delivered' then coalesce(m.done_at, n.sent_at, r.sent_at) end, 'delivered'),
         (case when r.status = 'sent' and coalesce(m.status, n.status) in ('failed', 'expired', 'bounced')
               then coalesce(m.done_at, n.bounced_at, r.sent_at) end, 'failed')
       ) as e(at, kind)
      where r.campaign_id = ? and e.at is not null
      group by 1, 2`,
    [tenantId, id],
  );
  return cumulate(
    rows.map((row) => ({ minute: Number(row.minute), kind: row.kind, count: Number(row.n) })),
    await em.getRepository(Tenant).timeZoneOf(tenantId),
  );
}

/** Counts per minute (since the epoch) cumulated into at most MAX_POINTS steps, every step drawn even when empty. */
export function cumulate(counts: ReadonlyArray<{ minute: number; kind: Kind; count: number }>, timeZone: string): CampaignTimeline {
  if (!counts.length) return { stepMinutes: 1, points: [] };
  const first = Math.min(...counts.map((c) => c.minute));
  const last = Math.max(...counts.map((c) => c.minute));
  const stepMinutes = STEPS_MINUTES.find((step) => Math.floor(last / step) - Math.floor(first / step) + 1 <= MAX_POINTS) ?? STEPS_MINUTES.at(-1)!;
  const start = Math.floor(first / stepMinutes);
  const steps = Math.floor(last / stepMinutes) - start + 1;
  const added = Array.from({ length: steps }, () => ({ sent: 0, delivered: 0, failed: 0 }));
  for (const c of counts) added[Math.floor(c.minute / stepMinutes) - start][c.kind] += c.count;
  const total = { sent: 0, delivered: 0, failed: 0 };
  return {
    stepMinutes,
    points: added.map((step, i) => {
      total.sent += step.sent;
      total.delivered += step.delivered;
      total.failed += step.failed;
      const at = new Date((start + i) * stepMinutes * 60_000);
      return { at: at.toISOString(), label: formatShortDateTime(at, timeZone), ...total };
    }),
  };
}
