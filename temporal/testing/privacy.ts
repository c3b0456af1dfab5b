import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { storePendingFiles } from '@/domain/attachments/store';
import { Tenant } from '@/domain/entities';
import { query } from '@/domain/sql';
import { fileRequest } from '@/temporal/testing/fixtures';
import { citizenEmail } from '@/temporal/testing/helpers';

/** The smallest valid PDF header the attachment check accepts. */
const PDF = new TextEncoder().encode('%PDF-1.4\n% test\n');

/** A request filed through the real intake, then given a past: the state and dates the retention rules look at. */
export interface SeededRequest {
  id: string;
  reference: string;
  email: string;
  phone: string;
  trackingCode: string;
}

/** Where a seeded request stands. */
export interface SeedOptions {
  state: 'closed' | 'rejected' | 'in_progress' | 'answered';
  /** Months between the request's closure (or last change) and now. */
  monthsAgo: number;
  /** Days between reception and answer, so the dashboard has processing times to compute. */
  processingDays?: number;
}

const MONTH_MS = 30.5 * 86_400_000;

/**
 * Files a request on a task queue no worker polls (its workflow waits, so nothing else writes to it), with an attachment,
 * then backdates it and adds what a case holds after its life: texts in its timeline, a generated document, an e-mail
 * notification, an SMS with its receipt and an inbound SMS. Test data only.
 */
export async function seedRequest(em: EntityManager, tenantSlug: string, tenantId: string, options: SeedOptions): Promise<SeededRequest> {
  const email = citizenEmail('rgpd');
  const phone = `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const [file] = await storePendingFiles(em, tenantId, [{ name: 'justificatif.pdf', bytes: PDF }]);
  const { receipt } = await fileRequest(
    tenantSlug,
    {
      subject: 'Nuisances sonores rue des Lilas',
      message: 'Je m’appelle Jeanne Martin, 12 rue des Lilas, joignable au 06 12 34 56 78.',
      contact: { name: 'Jeanne Martin', email, phone, postalAddress: '12 rue des Lilas, 75000 Paris' },
      attachments: [file.id],
    },
    `relais-idle-${randomUUID().slice(0, 8)}`,
  );
  const [{ id }] = await query<{ id: string }>(em, 'select id from request where tenant_id = ? and reference = ?', [tenantId, receipt.reference]);
  const at = new Date(Date.now() - options.monthsAgo * MONTH_MS);
  const received = new Date(at.getTime() - (options.processingDays ?? 3) * 86_400_000 - 3_600_000);
  const answered = new Date(at.getTime() - 3_600_000);
  const finished = options.state === 'closed' || options.state === 'rejected';
  await query(
    em,
    `update request set state = ?, received_at = ?, due_at = ?, answered_at = ?, closed_at = ?, created_at = ?, answer = ?, form_data = ?
      where id = ?`,
    [
      options.state, received, new Date(received.getTime() + 8 * 86_400_000), options.state === 'in_progress' ? null : answered, finished ? at : null, received,
      'Madame Martin, nous avons transmis votre signalement.', JSON.stringify({ nom: 'Martin', telephone: phone }), id,
    ],
  );
  const event = (key: string, type: string, data: Record<string, unknown>) =>
    query(em, `insert into request_event (id, tenant_id, request_id, key, type, public, actor, state, data, created_at) values (?, ?, ?, ?, ?, false, 'system', ?, ?, ?)`, [
      randomUUID(), tenantId, id, key, type, options.state, JSON.stringify(data), at,
    ]);
  await event('90:note', 'note', { text: 'Mme Martin a rappelé au 06 12 34 56 78.' });
  await event('91:reminder_sent', 'reminder_sent', { percent: 66, step: 0 });
  await event('92:answered', 'answered', { body: 'Madame Martin, nous avons transmis votre signalement.' });
  await query(
    em,
    `insert into document (id, tenant_id, request_id, kind, template, idempotency_key, file_name, content, size, sha256, public, created_at)
     values (?, ?, ?, 'letter', 'courrier', ?, 'courrier.pdf', ?, ?, 'test', true, ?)`,
    [randomUUID(), tenantId, id, `seed:${id}:letter`, Buffer.from(PDF), PDF.length, at],
  );
  await query(em, 'update attachment set created_at = ? where request_id = ?', [received, id]);
  await query(
    em,
    `insert into notification (id, tenant_id, request_id, idempotency_key, channel, recipient, template, subject, status, created_at, sent_at)
     values (?, ?, ?, ?, 'email', ?, 'answer', 'Réponse à votre demande', 'sent', ?, ?)`,
    [randomUUID(), tenantId, id, `seed:${id}:mail`, email, at, at],
  );
  const smsId = randomUUID();
  const smscId = `seed-${randomUUID()}`;
  await query(
    em,
    `insert into sms_message (id, tenant_id, request_id, idempotency_key, template, recipient, sender, text, data_coding, segment_count, status, created_at, done_at)
     values (?, ?, ?, ?, 'answer', ?, 'VILLE', 'Madame Martin, votre demande est close.', 0, 1, 'delivered', ?, ?)`,
    [smsId, tenantId, id, `seed:${id}:sms`, phone, at, at],
  );
  await query(em, `insert into sms_segment (sms_message_id, segment_index, smsc_message_id, status, receipt, accepted_at, done_at) values (?, 0, ?, 'delivered', ?, ?, ?)`, [
    smsId, smscId, JSON.stringify({ to: phone, stat: 'DELIVRD' }), at, at,
  ]);
  await query(em, `insert into sms_receipt (smsc_message_id, status, final, source, raw, received_at) values (?, 'delivered', true, 'tlv', ?, ?)`, [
    smscId, JSON.stringify({ from: phone, to: '36180', stat: 'DELIVRD' }), at,
  ]);
  await query(
    em,
    `insert into sms_inbound (id, tenant_id, sender, recipient, text, dedupe_hash, outcome, request_id, received_at, handled_at) values (?, ?, ?, '36180', ?, ?, 'reply', ?, ?, ?)`,
    [randomUUID(), tenantId, phone, 'Merci, c’est Jeanne Martin.', randomUUID().replace(/-/g, ''), id, at, at],
  );
  await query(
    em,
    `insert into inbound_email (id, tenant_id, source, envelope_from, envelope_to, message_id, from_address, from_name, subject, body, dedupe_key, outcome, request_id, auth, received_at, handled_at)
     values (?, ?, 'smtp', ?, '{}', ?, ?, 'Jeanne Martin', 'Re: nuisances', 'Merci, c’est Jeanne Martin.', ?, 'reply', ?, ?, ?, ?)`,
    [randomUUID(), tenantId, email, `${randomUUID()}@example.org`, email, `seed:${randomUUID()}`, id, JSON.stringify({ spf: 'pass', header: `smtp.mailfrom=${email}` }), at, at],
  );
  return { id, reference: receipt.reference, email, phone, trackingCode: receipt.trackingCode };
}

/** The tenant id of a slug. */
export async function tenantIdOf(em: EntityManager, slug: string): Promise<string> {
  return (await em.getRepository(Tenant).getBySlug(slug)).id;
}

/** Every trace of a request's personal data, as counts and the texts that would show it. */
export async function personalDataOf(em: EntityManager, request: SeededRequest) {
  const [row] = await query<{ citizen: Record<string, unknown>; subject: string; body: string; form_data: unknown; answer: string | null; anonymised_at: Date | null }>(
    em,
    'select citizen, subject, body, form_data, answer, anonymised_at from request where id = ?',
    [request.id],
  );
  const count = async (sql: string) => (await query<{ n: number }>(em, sql, [request.id]))[0].n;
  return {
    request: row,
    attachments: await count('select count(*)::int as n from attachment where request_id = ?'),
    documents: await count('select count(*)::int as n from document where request_id = ?'),
    // Anything left anywhere that still names the citizen: the e-mail address, the number or the name.
    traces: (
      await query<{ n: number }>(
        em,
        `select ((select count(*) from request_event where request_id = ? and data::text ~ 'Martin')
              + (select count(*) from notification where request_id = ? and recipient = ?)
              + (select count(*) from sms_message where request_id = ? and (recipient = ? or text ~ 'Martin'))
              + (select count(*) from sms_inbound where request_id = ? and (sender = ? or text ~ 'Martin'))
              + (select count(*) from inbound_email where request_id = ? and (from_address = ? or body ~ 'Martin' or auth::text ~ ?))
              + (select count(*) from sms_receipt r join sms_segment s on s.smsc_message_id = r.smsc_message_id
                   join sms_message m on m.id = s.sms_message_id where m.request_id = ? and r.raw::text ~ ?)
              + (select count(*) from request where id = ? and (citizen::text ~ 'Martin' or body ~ 'Martin' or form_data is not null)))::int as n`,
        [
          request.id, request.id, request.email, request.id, request.phone, request.id, request.phone, request.id, request.email, request.email.replace(/[.+]/g, '\\$&'),
          request.id, request.phone.replace('+', '\\+'), request.id,
        ],
      )
    )[0].n,
  };
}
