import type { EntityManager } from '@mikro-orm/postgresql';
import { CitizenRequest, SmsInbound, SmsMessage } from '@/domain/entities';

/** An outgoing SMS as the development SMS page lists it. */
export interface SentSms {
  createdAt: Date;
  recipient: string;
  sender: string;
  text: string;
  segmentCount: number;
  status: string;
  reference: string | null;
}

/** A received SMS and what the intake made of it. */
export interface ReceivedSms {
  receivedAt: Date;
  sender: string;
  recipient: string;
  text: string;
  outcome: string;
  reference: string | null;
}

/** A tenant's latest outgoing SMS, newest first, with the reference of their request. */
export async function recentSentSms(em: EntityManager, tenantId: string, limit = 50): Promise<SentSms[]> {
  // Only the request's reference: the citizen's data has no place on this page.
  const sent = await em.find(
    SmsMessage,
    { tenant: tenantId },
    { fields: ['createdAt', 'recipient', 'sender', 'text', 'segmentCount', 'status', 'request.reference'], orderBy: { createdAt: 'desc' }, limit },
  );
  return sent.map((m) => ({
    createdAt: m.createdAt,
    recipient: m.recipient,
    sender: m.sender,
    text: m.text,
    segmentCount: m.segmentCount,
    status: m.status,
    reference: m.request?.reference ?? null,
  }));
}

/** A tenant's latest incoming SMS, newest first, with the reference of the request each filed or joined. */
export async function recentReceivedSms(em: EntityManager, tenantId: string, limit = 20): Promise<ReceivedSms[]> {
  const received = await em.find(SmsInbound, { tenant: tenantId }, { orderBy: { receivedAt: 'desc' }, limit });
  // The inbound row keeps a plain request id (no foreign key), so references are read in one look-up.
  const ids = [...new Set(received.flatMap((i) => (i.requestId ? [i.requestId] : [])))];
  const requests = ids.length ? await em.find(CitizenRequest, { id: { $in: ids }, tenant: tenantId }, { fields: ['reference'] }) : [];
  const references = new Map(requests.map((r) => [r.id, r.reference]));
  return received.map((i) => ({
    receivedAt: i.receivedAt,
    sender: i.sender,
    recipient: i.recipient,
    text: i.text,
    outcome: i.outcome,
    reference: (i.requestId && references.get(i.requestId)) || null,
  }));
}
