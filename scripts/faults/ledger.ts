import type { SinkMessage } from '@/dev/mail-sink/mail-sink';
import { initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { smsCountsTo } from '@/temporal/testing/campaigns';

/** A request of the run as the database holds it, with the state of its acknowledgement and of its answer. */
export interface StoredRequest {
  reference: string;
  state: string;
  /** The acknowledgement's e-mail (notification) or SMS (sms_message) status; undefined while none is recorded. */
  acknowledgement?: string;
  answer?: string;
}

/** Statuses after which nothing more will be sent for a notification: sent, or given up without repeating it. */
const SETTLED = new Set(['sent', 'delivered', 'bounced', 'failed', 'uncertain', 'submitted', 'expired', 'unknown']);

export const isSettled = (status: string | undefined): boolean => status !== undefined && SETTLED.has(status);

/** The run's requests by subject (every subject names the run), whatever answer their citizen got. */
export async function storedRequests(databaseUrl: string, runId: string): Promise<Map<string, StoredRequest>> {
  const orm = await initORM(databaseUrl);
  // Raw SQL: one read across requests, notifications and SMS, in a check script rather than the product.
  const rows = await query<{ subject: string; reference: string; state: string; ack_mail: string | null; ack_sms: string | null; answer: string | null }>(
    orm.em.fork(),
    `select r.subject, r.reference, r.state,
            (select n.status from notification n where n.request_id = r.id and n.template = 'acknowledgement' limit 1) as ack_mail,
            (select m.status from sms_message m where m.request_id = r.id and m.template = 'acknowledgement' limit 1) as ack_sms,
            (select n.status from notification n where n.request_id = r.id and n.template = 'answer' limit 1) as answer
       from request r join tenant t on t.id = r.tenant_id
      where t.slug = 'demo' and r.subject like ?`,
    [`Panne ${runId} %`],
  );
  return new Map(
    rows.map((row) => [row.subject, { reference: row.reference, state: row.state, acknowledgement: row.ack_mail ?? row.ack_sms ?? undefined, answer: row.answer ?? undefined }]),
  );
}

/** Requests whose workflow start is still owed (the intake committed, Temporal did not take the start yet). */
export async function pendingStarts(databaseUrl: string): Promise<number> {
  const orm = await initORM(databaseUrl);
  const [{ n }] = await query<{ n: number }>(orm.em.fork(), 'select count(*)::int as n from request_workflow_start');
  return n;
}

/** What the outside world received, per address: acknowledgement and answer e-mails at the SMTP sink, SMS at the SMSC. */
export interface Received {
  acknowledgements: Map<string, number>;
  answers: Map<string, number>;
  sms: Map<string, number>;
}

/** Counts at the SMTP sink per recipient, and SMS per number at the SMSC simulator (SMSC_CONTROL_URL) for `phones`. */
export async function received(mailSinkUrl: string, phones: readonly string[]): Promise<Received> {
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const result: Received = { acknowledgements: new Map(), answers: new Map(), sms: await smsCountsTo(phones) };
  for (const message of await getJson<SinkMessage[]>(`${mailSinkUrl}/messages`)) {
    const to = message.envelopeTo[0];
    if (message.subject?.includes('a bien été reçue')) count(result.acknowledgements, to);
    if (message.subject?.includes('réponse à votre demande')) count(result.answers, to);
  }
  return result;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}
