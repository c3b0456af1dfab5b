// Delivery status notifications (RFC 3464) about the e-mails Relais sent: the proof that a message did or did not arrive.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Notification } from '@/domain/entities';
import { query } from '@/domain/sql';
import type { DeliveryStatus, ParsedEmail } from './parsed-email';

/** A delivery report as the parser gives it. */
export type DeliveryReport = NonNullable<ParsedEmail['deliveryReport']>;

/** What a report did to its notification. */
export type DeliveryReportOutcome = 'bounced' | 'delayed' | 'delivered' | 'unchanged';

const SEVERITY: Record<string, number> = { failed: 3, delayed: 2, delivered: 1 };

/** The status that decides: a failure outweighs a delay, a delay a delivery; relayed or expanded prove nothing. */
export function decisiveStatus(statuses: DeliveryStatus[]): DeliveryStatus | undefined {
  return statuses
    .filter((s) => SEVERITY[s.action?.toLowerCase()] !== undefined)
    .sort((a, b) => SEVERITY[b.action.toLowerCase()] - SEVERITY[a.action.toLowerCase()])[0];
}

/** The remote server's own words without the `smtp;` type prefix: `550 5.1.1 <x@y>: Recipient address rejected`. */
export function diagnosticText(status: DeliveryStatus): string {
  const text = (status.diagnostic ?? '').replace(/^\s*[a-z-]+\s*;\s*/i, '').trim();
  return (text || `Statut ${status.status}`).slice(0, 2000);
}

/**
 * Records a delivery report against the notification its bounce address named. A failure marks the e-mail bounced
 * (status code, time, the remote server's text) and tells the case's timeline; a delay is noted without failing it; a
 * delivery marks it delivered. Idempotent: a second report of the same fate changes nothing. False for an unknown
 * notification.
 */
export async function recordDeliveryReport(em: EntityManager, notificationId: string, report: DeliveryReport, inboundId?: string): Promise<boolean> {
  const notification = await em.fork().findOne(Notification, { id: notificationId }, { fields: ['id', 'tenant', 'request', 'recipient', 'template', 'status'] });
  if (!notification) return false;
  if (inboundId) await query(em, 'update inbound_email set notification_id = ? where id = ? and notification_id is null', [notificationId, inboundId]);
  const status = decisiveStatus(report.statuses);
  if (!status) return true;
  const action = status.action.toLowerCase();
  const base = { notificationId, recipient: notification.recipient, template: notification.template, status: status.status };
  if (action === 'failed') {
    const error = diagnosticText(status);
    const marked = await em.nativeUpdate(
      Notification,
      { id: notificationId, bouncedAt: null },
      { status: 'bounced', bounceStatus: status.status.slice(0, 20), bouncedAt: new Date(), error },
    );
    if (marked) await appendEvent(em, notification, `bounce:${notificationId}`, 'notification_bounced', { ...base, diagnostic: error });
  } else if (action === 'delayed') {
    await appendEvent(em, notification, `delayed:${notificationId}:${inboundId ?? 'report'}`, 'notification_delayed', { ...base, diagnostic: status.diagnostic ? diagnosticText(status) : undefined });
  } else {
    // Only a message the server accepted can be delivered; a bounce already known stays.
    await em.nativeUpdate(Notification, { id: notificationId, status: 'sent' }, { status: 'delivered' });
  }
  return true;
}

async function appendEvent(em: EntityManager, notification: Pick<Notification, 'request'>, key: string, type: string, data: Record<string, unknown>): Promise<void> {
  const requestId = notification.request?.id;
  if (!requestId) return;
  // Raw for `on conflict do nothing`: a repeated report appends nothing; the event takes the request's current state.
  await query(
    em,
    `insert into request_event (id, tenant_id, request_id, key, type, public, actor, state, data, created_at)
     select ?, r.tenant_id, r.id, ?, ?, false, 'system', r.state, ?::jsonb, now() from request r where r.id = ?
     on conflict (request_id, key) do nothing`,
    [randomUUID(), key, type, JSON.stringify(data), requestId],
  );
}
