import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { decodeSmsText, encodeSms, ESM_CLASS_UDHI, type EncodedSms } from '@/domain/sms/encoding';
import { GroupCommit } from '@/domain/group-commit';
import type { GatewayReceipt } from './deliver-sm.js';

/** Final states of an outgoing SMS, decided by delivery receipts. */
export type SmsFinalStatus = 'delivered' | 'failed' | 'expired';
/** Every state of an outgoing SMS. */
export type SmsStatus = 'queued' | 'submitted' | SmsFinalStatus | 'unknown';

/** An SMS to record before it is submitted. */
export interface SmsDraft {
  tenantId: string;
  requestId?: string;
  /** One SMS per key, ever: the notification's idempotency key. */
  idempotencyKey: string;
  template?: string;
  /** E.164 with `+`, or a short code. */
  to: string;
  /** Alphanumeric sender id or number. */
  from: string;
  text: string;
  /** `text` as composeSms encoded it (domain/notifications/sms-texts); encoded here when absent. */
  encoded?: EncodedSms;
}

/** The stored state a sender resumes from. */
export interface ClaimedSms {
  id: string;
  status: SmsStatus;
  to: string;
  from: string;
  /** The text of the first attempt: a retry resends exactly the segments it is missing. */
  text: string;
  segmentCount: number;
  dataCoding: number;
  udhReference?: number;
  /** SMSC id per segment index already accepted, undefined where not yet. */
  acceptedSegments: Array<string | undefined>;
  smscMessageIds: string[];
  /** The text as the claim encoded it, for a first attempt: the gateway need not encode it again. */
  encoded?: EncodedSms;
}

/** Outcome of a claim: go ahead, already submitted, or another attempt holds the lease. */
export type Claim = { kind: 'send'; sms: ClaimedSms } | { kind: 'done'; sms: ClaimedSms } | { kind: 'busy'; sms: ClaimedSms };

/** A message whose receipts just decided its final state. */
export interface SmsOutcome {
  id: string;
  tenantId: string;
  requestId: string | null;
  idempotencyKey: string;
  template: string | null;
  status: SmsFinalStatus;
  recipient: string;
  segmentCount: number;
  /** When the SMSC accepted it; absent for a message it refused at submission. */
  submittedAt?: Date;
}

/** Options of the store. */
export interface SmsStoreOptions {
  /** How long a claim keeps other attempts away; at least the activity's start-to-close timeout. */
  leaseSeconds?: number;
  /** Largest batch written in one statement. */
  maxBatch?: number;
  /** Where a failed background reconciliation is reported. */
  logger?: Logger;
  /** Connections of the store's own pool (default 8: one per kind of write, and spares for claims that load an earlier attempt). */
  connections?: number;
  /** Told once of each message a receipt decided (whichever caller's batch decided it): the worker's receipt lag. */
  onReceiptOutcome?: (outcome: SmsOutcome) => void;
}

interface MessageRow {
  id: string;
  idempotency_key: string;
  status: SmsStatus;
  recipient: string;
  sender: string;
  text: string;
  segment_count: number;
  data_coding: number;
  udh_reference: number | null;
  smsc_message_ids: string[];
}

const DEADLOCK_DETECTED = '40P01';
/** How long receipts and reconciliations gather before their statement is written. */
const BACKGROUND_LINGER_MS = 10;

/** What a claim wrote: a new message, an earlier attempt's taken over (its lease ran out), or nothing. */
type ClaimWrite = 'inserted' | 'taken-over' | 'refused';

/** An SMS about to be claimed, encoded once. */
type NewSms = SmsDraft & { id: string; encoded: EncodedSms };

function claimedFromDraft(sms: NewSms): ClaimedSms {
  return {
    id: sms.id,
    status: 'queued',
    to: sms.to,
    from: sms.from,
    text: sms.text,
    segmentCount: sms.encoded.segmentCount,
    dataCoding: sms.encoded.dataCoding,
    udhReference: sms.encoded.reference,
    acceptedSegments: [],
    smscMessageIds: [],
    encoded: sms.encoded,
  };
}

/**
 * PostgreSQL state of outgoing SMS: claims with a lease, accepted segments as soon as the SMSC answers,
 * receipts (all kept raw) correlated by SMSC message id. Writes are group-committed for throughput.
 */
export class SmsStore {
  private readonly pool: pg.Pool;
  /** Each statement's text with numbered placeholders and its prepared-statement name. */
  private readonly statements = new Map<string, pg.QueryConfig>();
  private readonly log: Logger;
  private readonly leaseSeconds: number;
  private readonly onReceiptOutcome?: (outcome: SmsOutcome) => void;
  private readonly claims: GroupCommit<NewSms, Map<NewSms, ClaimWrite>>;
  private readonly segments: GroupCommit<{ id: string; index: number; smscId: string }>;
  private readonly submissions: GroupCommit<{ id: string; smscIds: string[] }>;
  private readonly receipts: GroupCommit<GatewayReceipt, SmsOutcome[]>;
  // Its own stream, one statement at a time: two reconciliations of the same late receipts would lock their rows in
  // different orders.
  private readonly reconciliations: GroupCommit<string[], SmsOutcome[]>;

  constructor(orm: MikroORM, options: SmsStoreOptions = {}) {
    // Its own connections: prepared statements (parsed and planned once, not per batch) and one planner setting.
    // Every statement here finds rows by key; until autovacuum first analyses a table that grows by thousands of rows
    // a second, the planner guesses a key matches hundreds of rows and scans the whole table, batch after batch.
    this.pool = new pg.Pool({
      connectionString: orm.config.get('clientUrl'),
      max: options.connections ?? 8,
      allowExitOnIdle: true,
      options: '-c enable_seqscan=off',
    });
    this.pool.on('error', (error) => this.log.warn({ err: error }, 'idle SMS store connection failed'));
    this.log = (options.logger ?? pino()).child({ component: 'sms-store' });
    this.leaseSeconds = options.leaseSeconds ?? 60;
    this.onReceiptOutcome = options.onReceiptOutcome;
    const maxBatch = options.maxBatch ?? 500;
    // One statement at a time per kind of write: two in flight measured 3 points of b/a slower in the SMS bench, as
    // smaller batches cost more statements for the same rows.
    this.claims = new GroupCommit((items) => this.writeClaims(items), { maxBatch });
    this.segments = new GroupCommit((items) => this.writeSegments(items), { maxBatch });
    this.submissions = new GroupCommit((items) => this.writeSubmissions(items), { maxBatch });
    // Nothing waits on a receipt's write but the SMSC's deliver_sm_resp, so receipts and the background reconciliations
    // gather for a few milliseconds: without that, batches of about 25 followed the submit_sm_resp as they came, one
    // statement and commit each, and b/a measured about 5 points lower in the SMS bench.
    this.receipts = new GroupCommit((items) => this.writeReceipts(items), { maxBatch, lingerMs: BACKGROUND_LINGER_MS });
    this.reconciliations = new GroupCommit((batches) => this.writeReconciliation(batches), {
      maxBatch: maxBatch * 2,
      weigh: (ids) => ids.length,
      lingerMs: BACKGROUND_LINGER_MS,
    });
  }

  /** Batches written per kind of write. */
  stats(): Record<'claims' | 'segments' | 'submissions' | 'receipts' | 'reconciliations', GroupCommit<never>['stats']> {
    return {
      claims: this.claims.stats,
      segments: this.segments.stats,
      submissions: this.submissions.stats,
      receipts: this.receipts.stats,
      reconciliations: this.reconciliations.stats,
    };
  }

  /** Records the SMS (or finds the earlier attempt) and takes the lease to submit it. */
  async claim(draft: SmsDraft): Promise<Claim> {
    const encoded = draft.encoded ?? encodeSms(draft.text);
    const fresh: NewSms = {
      id: randomUUID(),
      tenantId: draft.tenantId,
      requestId: draft.requestId,
      idempotencyKey: draft.idempotencyKey,
      template: draft.template,
      to: draft.to,
      from: draft.from,
      text: draft.text,
      encoded,
    };
    const written = (await this.claims.push(fresh)).get(fresh);
    if (written === 'inserted') return { kind: 'send', sms: claimedFromDraft(fresh) };
    const existing = await this.loadMessage(draft.idempotencyKey);
    if (written === 'taken-over') return this.adoptOrphanReceipts(existing);
    return { kind: existing.status === 'queued' ? 'busy' : 'done', sms: existing };
  }

  /**
   * A message taken over after a crash may have reached the SMSC in the instant before its attempt died, the SMSC's
   * answer lost with the connection. SMPP has no idempotency key, but the SMSC keeps the receipt of such a segment and
   * delivers it on the next bind, with the handset's number and the segment's first characters: a receipt for this
   * recipient since the message was first claimed, matched to no message, and quoting the segment's text says the SMSC
   * has that segment, so it is recorded as accepted rather than sent again. Segments without such a receipt (none
   * asked for, or the SMSC's not come yet) are sent again.
   */
  private async adoptOrphanReceipts(sms: ClaimedSms): Promise<Claim> {
    const missing = Array.from({ length: sms.segmentCount }, (_, index) => index).filter((index) => !sms.acceptedSegments[index]);
    const texts = segmentTexts(sms);
    if (missing.length === 0 || !texts) return { kind: 'send', sms };
    // Raw SQL: a take-over after a crash only; the unmatched receipts for this handset since the message was claimed.
    const candidates = await this.select<{ smsc_message_id: string; text: string }>(
      `select r.smsc_message_id, r.raw->>'raw' as text from sms_receipt r, sms_message m
        where m.id = ? and r.received_at >= m.created_at and r.smsc_message_id is not null and r.final
          and ltrim(r.raw->>'from', '+') = ltrim(m.recipient, '+')
          and not exists (select 1 from sms_segment s where s.smsc_message_id = r.smsc_message_id)
        order by r.received_at limit 50`,
      [sms.id],
    );
    const accepted = [...sms.acceptedSegments];
    for (const index of missing) {
      const receipt = candidates.find((candidate) => !accepted.includes(candidate.smsc_message_id) && receiptQuotes(candidate.text, texts[index]));
      if (receipt) accepted[index] = receipt.smsc_message_id;
    }
    const found = missing.filter((index) => accepted[index]);
    if (found.length === 0) return { kind: 'send', sms };
    this.log.info({ sms: sms.id, segments: found, of: sms.segmentCount }, 'SMS segments found at the SMSC by their receipts after a take-over; not sent again');
    if (found.length < missing.length) {
      await Promise.all(found.map((index) => this.recordSegment(sms.id, index, accepted[index]!)));
      return { kind: 'send', sms: { ...sms, acceptedSegments: accepted } };
    }
    const smscIds = accepted as string[];
    await this.markSubmitted(sms.id, smscIds);
    return { kind: 'done', sms: { ...sms, status: 'submitted', acceptedSegments: smscIds, smscMessageIds: smscIds } };
  }

  /** Writes the id of a segment the SMSC accepted; resolves once it is committed. */
  async recordSegment(id: string, index: number, smscId: string): Promise<void> {
    await this.segments.push({ id, index, smscId });
  }

  /** The SMSC accepted every segment: `submitted`, unless receipts already decided. */
  markSubmitted(id: string, smscIds: string[]): Promise<void> {
    return this.submissions.push({ id, smscIds });
  }

  /** A failed attempt: releases the lease, and gives up for good when the SMSC refused the message itself. */
  async markFailed(id: string, error: Error, final: boolean): Promise<SmsOutcome[]> {
    const rows = await this.select<OutcomeRow>(
      `with released as (
         update sms_message set error = ?, lease_until = null, status = case when ? then 'failed' else status end,
                done_at = case when ? then now() else done_at end
          where id = ? and status = 'queued'
          returning id, tenant_id, request_id, idempotency_key, template, status, recipient, segment_count),
       refused as (select * from released where status = 'failed'),
       ${LOG_OUTCOMES('refused')}
       select * from refused`,
      [error.message.slice(0, 2000), final, final, id],
    );
    return rows.map(outcomeOf);
  }

  /** Keeps a receipt and applies it to its segment; resolves with the messages its batch completed. */
  recordReceipt(receipt: GatewayReceipt): Promise<SmsOutcome[]> {
    return this.receipts.push(receipt);
  }

  private async writeClaims(items: NewSms[]): Promise<Map<NewSms, ClaimWrite>> {
    // Duplicates inside one batch would make ON CONFLICT DO UPDATE touch a row twice: later ones retry as busy.
    const seen = new Set<string>();
    const unique = items.filter((item) => !seen.has(item.idempotencyKey) && seen.add(item.idempotencyKey));
    const payload = unique.map((item) => ({
      id: item.id,
      tenant_id: item.tenantId,
      request_id: item.requestId ?? null,
      idempotency_key: item.idempotencyKey,
      template: item.template ?? null,
      recipient: item.to,
      sender: item.from,
      text: item.text,
      data_coding: item.encoded.dataCoding,
      segment_count: item.encoded.segmentCount,
      udh_reference: item.encoded.reference ?? null,
    }));
    // A retry takes over an unfinished message only once the earlier attempt's lease has run out. Only the exceptions
    // come back (a key not returned was inserted), so that a batch of new messages costs no result rows.
    const rows = await this.select<{ idempotency_key: string; taken_over: boolean }>(
      `with x as (select * from jsonb_to_recordset(?::jsonb) as x(id uuid, tenant_id uuid, request_id uuid, idempotency_key text, template text,
                                                             recipient text, sender text, text text, data_coding int, segment_count int, udh_reference int)),
       claimed as (
         insert into sms_message (id, tenant_id, request_id, idempotency_key, template, recipient, sender, text, data_coding, segment_count,
                                  udh_reference, lease_until)
         select x.id, x.tenant_id, x.request_id, x.idempotency_key, x.template, x.recipient, x.sender, x.text, x.data_coding, x.segment_count,
                x.udh_reference, now() + make_interval(secs => ?)
           from x
         on conflict (idempotency_key) do update set lease_until = excluded.lease_until, attempts = sms_message.attempts + 1
           where sms_message.status = 'queued' and (sms_message.lease_until is null or sms_message.lease_until < now())
         returning idempotency_key, (xmax = 0) as inserted)
       select x.idempotency_key, x.idempotency_key in (select idempotency_key from claimed) as taken_over
         from x where x.idempotency_key not in (select idempotency_key from claimed where inserted)`,
      [JSON.stringify(payload), this.leaseSeconds],
    );
    const exceptions = new Map(rows.map((row) => [row.idempotency_key, row.taken_over ? 'taken-over' : 'refused'] as const));
    const firsts = new Set(unique);
    return new Map(items.map((item) => [item, firsts.has(item) ? (exceptions.get(item.idempotencyKey) ?? 'inserted') : 'refused']));
  }

  private async writeSegments(items: Array<{ id: string; index: number; smscId: string }>): Promise<void> {
    await this.select(
      `insert into sms_segment (sms_message_id, segment_index, smsc_message_id)
       select x.m, x.i, x.s from jsonb_to_recordset(?::jsonb) as x(m uuid, i int, s text) on conflict do nothing`,
      [JSON.stringify(items.map((item) => ({ m: item.id, i: item.index, s: item.smscId })))],
    );
    this.reconcileLater(items.map((item) => item.smscId));
  }

  // Segments and status in one statement: a single-segment SMS costs one commit from submit_sm_resp to "submitted".
  private async writeSubmissions(items: Array<{ id: string; smscIds: string[] }>): Promise<void> {
    await this.select(
      `with x(v) as (select ?::jsonb),
       seg as (
         insert into sms_segment (sms_message_id, segment_index, smsc_message_id)
         select m.key::uuid, e.n - 1, e.value from jsonb_each((select v from x)) m, jsonb_array_elements_text(m.value) with ordinality as e(value, n)
         on conflict do nothing)
       update sms_message m set status = case when m.status = 'queued' then 'submitted' else m.status end,
              smsc_message_ids = array(select jsonb_array_elements_text((select v from x) -> m.id::text)), submitted_at = now(),
              lease_until = null, error = null
        where m.id = any(?::uuid[])`,
      [JSON.stringify(Object.fromEntries(items.map((item) => [item.id, item.smscIds]))), items.map((item) => item.id)],
    );
    this.reconcileLater(items.flatMap((item) => item.smscIds));
  }

  // Matched and kept in one statement. The last final receipt of a segment in the batch decides it and is kept raw on
  // the segment; every other one (intermediate, unknown format, repeated, or not matched yet) goes to sms_receipt.
  // A receipt whose segment was not visible yet (its submission committing at the same moment) is matched again once
  // committed; submissions do the same: whichever commits last sees the other.
  private async writeReceipts(items: GatewayReceipt[]): Promise<SmsOutcome[]> {
    const decisive: Record<string, { n: number; status: string; source: string; raw: KeptReceipt }> = {};
    items.forEach((receipt, n) => {
      if (receipt.messageId && receipt.final && receipt.status !== 'unknown') decisive[receipt.messageId] = { n, status: receipt.status, source: receipt.source, raw: kept(receipt) };
    });
    const others = items.flatMap((receipt, n) =>
      decisive[receipt.messageId ?? '']?.n === n ? [] : [{ n, id: receipt.messageId ?? null, status: receipt.status, final: receipt.final, source: receipt.source, raw: kept(receipt) }],
    );
    const rows = await this.select<ReceiptMatchRow>(
      `with d(v) as (select ?::jsonb),
       ${APPLY_RECEIPTS('?::text[]')},
       unmatched as (select e.key, e.value from jsonb_each((select v from d)) e where e.key not in (select smsc_message_id from seg)),
       kept as (
         insert into sms_receipt (smsc_message_id, status, final, source, raw)
         select id, status, final, source, raw from (
           select x.n, x.id, x.status, x.final, x.source, x.raw
             from jsonb_to_recordset(?::jsonb) as x(n int, id text, status text, final boolean, source text, raw jsonb)
           union all
           select (value->>'n')::int, key, value->>'status', true, value->>'source', value->'raw' from unmatched) k
          order by n)
       ${DECIDED}
       union all
       select 'unmatched', null, null, null, null, null, null, null, null, null, u.key from unmatched u
        where not exists (select 1 from sms_segment s where s.smsc_message_id = u.key)`,
      [JSON.stringify(decisive), Object.keys(decisive), JSON.stringify(others)],
    );
    const unmatched = rows.filter((row) => row.kind === 'unmatched').map((row) => row.smsc_message_id!);
    const outcomes = await this.settle(rows);
    if (unmatched.length > 0) outcomes.push(...(await this.reconcile(unmatched)));
    return outcomes;
  }

  // Every caller of a batch gets the outcomes of the whole batch.
  private reconcile(smscIds: string[]): Promise<SmsOutcome[]> {
    return this.reconciliations.push(smscIds);
  }

  // After a write of segments, in the background: they are durable already, and a receipt may have come first (another
  // bind, or a faster SMSC) and been committed while they were written.
  private reconcileLater(smscIds: string[]): void {
    this.reconcile(smscIds).catch((error: unknown) => this.log.warn({ err: error, smscIds: smscIds.length }, 'SMS receipt reconciliation failed'));
  }

  private async writeReconciliation(batches: string[][]): Promise<SmsOutcome[]> {
    const rows = await this.select<ReceiptMatchRow>(
      `with r as (
         select latest.* from unnest(?::text[]) as ids(id)
         cross join lateral (
           select smsc_message_id, status, raw, received_at from sms_receipt
            where smsc_message_id = ids.id and final and status in ('delivered', 'failed', 'expired')
            order by received_at desc, id desc limit 1) latest),
       d(v) as (select jsonb_object_agg(smsc_message_id, jsonb_build_object('status', status, 'raw', raw, 'at', received_at)) from r),
       ${APPLY_RECEIPTS('array(select smsc_message_id from r)')}
       ${DECIDED}`,
      [batches.flat()],
    );
    return this.settle(rows);
  }

  // Single-segment messages were decided by the statement; longer ones are rolled up from their segments. Logged here,
  // once per batch: every caller of the batch gets the same outcomes.
  private async settle(rows: ReceiptMatchRow[]): Promise<SmsOutcome[]> {
    const multi = rows.filter((row) => row.kind === 'multi').map((row) => row.id);
    const outcomes = rows.filter((row) => row.kind === 'single').map(outcomeOf);
    if (multi.length > 0) outcomes.push(...(await this.rollUp(multi)));
    if (this.log.isLevelEnabled('debug')) for (const outcome of outcomes) this.log.debug({ sms: outcome.id, status: outcome.status }, 'SMS final state');
    if (this.onReceiptOutcome) outcomes.forEach(this.onReceiptOutcome);
    return outcomes;
  }

  private async rollUp(messageIds: string[]): Promise<SmsOutcome[]> {
    const rows = await this.select<OutcomeRow>(
      `with agg as (
         select sms_message_id, count(*) filter (where status = 'delivered') as delivered, bool_or(status = 'failed') as failed,
                bool_or(status = 'expired') as expired, max(done_at) as done_at
           from sms_segment where sms_message_id = any(?::uuid[]) group by sms_message_id),
       rolled as (
         update sms_message m set status = case when agg.failed then 'failed' when agg.expired then 'expired' else 'delivered' end, done_at = agg.done_at
           from agg where m.id = agg.sms_message_id and m.status in ('queued', 'submitted', 'unknown')
            and (agg.failed or agg.expired or agg.delivered = m.segment_count)
         returning m.id, m.tenant_id, m.request_id, m.idempotency_key, m.template, m.status, m.recipient, m.segment_count, m.submitted_at),
       ${LOG_OUTCOMES('rolled')}
       select * from rolled`,
      [messageIds],
    );
    return rows.map(outcomeOf);
  }

  private async loadMessage(idempotencyKey: string): Promise<ClaimedSms> {
    const [row] = await this.select<MessageRow>(
      `select id, idempotency_key, status, recipient, sender, text, segment_count, data_coding, udh_reference, smsc_message_ids
         from sms_message where idempotency_key = ?`,
      [idempotencyKey],
    );
    const segments = await this.select<{ segment_index: number; smsc_message_id: string }>(
      'select segment_index, smsc_message_id from sms_segment where sms_message_id = ? order by segment_index',
      [row.id],
    );
    const accepted: Array<string | undefined> = [];
    for (const segment of segments) accepted[segment.segment_index] = segment.smsc_message_id;
    return {
      id: row.id,
      status: row.status,
      to: row.recipient,
      from: row.sender,
      text: row.text,
      segmentCount: row.segment_count,
      dataCoding: row.data_coding,
      udhReference: row.udh_reference ?? undefined,
      acceptedSegments: accepted,
      smscMessageIds: row.smsc_message_ids ?? [],
    };
  }

  /** Closes the store's connections once its writes are done. */
  async close(): Promise<void> {
    await Promise.all([this.claims, this.segments, this.submissions, this.receipts].map((writes) => writes.flush()));
    // Last: the writes above queue reconciliations.
    await this.reconciliations.flush();
    await this.pool.end();
  }

  // Every statement stands alone, so one that PostgreSQL aborted on a deadlock left nothing and is run again.
  private async select<T>(sql: string, params: unknown[]): Promise<T[]> {
    const statement = this.prepared(sql);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.pool.query<T & pg.QueryResultRow>({ name: statement.name, text: statement.text, values: params });
        return result.rows;
      } catch (error) {
        if ((error as { code?: string }).code !== DEADLOCK_DETECTED || attempt >= 3) throw error;
      }
    }
  }

  // The statements are written with `?` like the rest of the code base; PostgreSQL numbers its parameters.
  private prepared(sql: string): pg.QueryConfig {
    let statement = this.statements.get(sql);
    if (!statement) {
      let index = 0;
      statement = { name: `sms-store-${this.statements.size + 1}`, text: sql.replace(/\?/g, () => `$${++index}`) };
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/**
 * The request's timeline gets one internal line for a message's final state, in the statement that decides it: a crash
 * between two statements would leave the message decided and the line missing, and a receipt sent again finds nothing
 * left to decide. The state itself lives in sms_message only. `outcomes` names a CTE of messages in their final state.
 */
const LOG_OUTCOMES = (outcomes: string) => `
  logged as (
    insert into request_event (id, tenant_id, request_id, key, type, public, actor, state, data, created_at)
    select gen_random_uuid(), o.tenant_id, o.request_id, 'sms:' || o.id || ':' || o.status, 'sms_' || o.status, false, 'system', r.state,
           jsonb_build_object('smsId', o.id, 'template', o.template, 'status', o.status, 'segments', o.segment_count, 'to', ${maskedPhone('o.recipient')}),
           now()
      from ${outcomes} o join request r on r.id = o.request_id where o.request_id is not null
    on conflict (request_id, key) do nothing)`;

/**
 * Applies final receipts to their segments; a single-segment SMS takes its segment's state in the same statement.
 * The receipts are CTE `d(v)`, one object `{ smscId: { status, raw, at? } }`, and `ids` its keys as a text[]. Segments
 * are found by index and their values looked up by key rather than joined: the planner's row estimate of a CTE is a
 * guess, and a nested loop over a mis-estimated one costs the square of the batch. DECIDED then selects one row per
 * decided message, `multi` ones to roll up.
 */
const APPLY_RECEIPTS = (ids: string) => `
  seg as (
    update sms_segment s set status = (select v from d) -> s.smsc_message_id ->> 'status', receipt = (select v from d) -> s.smsc_message_id -> 'raw',
                             done_at = coalesce(((select v from d) -> s.smsc_message_id ->> 'at')::timestamptz, now())
     where s.smsc_message_id = any(${ids}) and s.status = 'submitted'
    returning s.sms_message_id, s.smsc_message_id, s.status, s.done_at),
  decided as (
    update sms_message m set status = case when m.segment_count = 1 then seg.status else m.status end,
                             done_at = case when m.segment_count = 1 then seg.done_at else m.done_at end
      from seg where m.id = seg.sms_message_id and m.status in ('queued', 'submitted', 'unknown')
    returning m.id, m.tenant_id, m.request_id, m.idempotency_key, m.template, m.status, m.recipient, m.segment_count, m.submitted_at),
  completed as (select * from decided where segment_count = 1),
  ${LOG_OUTCOMES('completed')}`;

/** The rows of APPLY_RECEIPTS's decided messages. */
const DECIDED = `select case when segment_count = 1 then 'single' else 'multi' end as kind, decided.*, null as smsc_message_id from decided`;

/** A row of APPLY_RECEIPTS, or a receipt whose segment is not (yet) known. */
type ReceiptMatchRow = OutcomeRow & { kind: 'single' | 'multi' | 'unmatched'; smsc_message_id: string | null };

interface OutcomeRow {
  id: string;
  tenant_id: string;
  request_id: string | null;
  idempotency_key: string;
  template: string | null;
  status: SmsFinalStatus;
  recipient: string;
  segment_count: number;
  /** Absent from a refused submission's row. */
  submitted_at?: Date | null;
}

function outcomeOf(row: OutcomeRow): SmsOutcome {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    requestId: row.request_id,
    idempotencyKey: row.idempotency_key,
    template: row.template,
    status: row.status,
    recipient: row.recipient,
    segmentCount: row.segment_count,
    submittedAt: row.submitted_at ?? undefined,
  };
}

/** What is kept of a receipt: what the SMSC sent. The rest (id, status, dates) is in columns or read again from `raw`. */
type KeptReceipt = Pick<GatewayReceipt, 'raw' | 'stat' | 'errorCode' | 'messageState' | 'networkErrorCode' | 'from' | 'to'>;

function kept(receipt: GatewayReceipt): KeptReceipt {
  return {
    raw: receipt.raw,
    stat: receipt.stat,
    errorCode: receipt.errorCode,
    messageState: receipt.messageState,
    networkErrorCode: receipt.networkErrorCode,
    from: receipt.from,
    to: receipt.to,
  };
}

/** Each segment's text as the first attempt sent it, or undefined when encoding it again would not give its segments. */
function segmentTexts(sms: ClaimedSms): string[] | undefined {
  const encoded = encodeSms(sms.text, { reference: sms.udhReference });
  if (encoded.dataCoding !== sms.dataCoding || encoded.segmentCount !== sms.segmentCount) return undefined;
  return encoded.segments.map((payload) => decodeSmsText(encoded.esmClass & ESM_CLASS_UDHI ? payload.subarray(1 + payload[0]) : payload, encoded.dataCoding));
}

/**
 * True when a receipt's Appendix B `text:` (a segment's first characters, as the SMSC re-encoded them) begins the
 * segment's text; letters and digits are compared, since SMSCs replace what their alphabet lacks. A receipt without
 * `text:` cannot tell.
 */
export function receiptQuotes(receiptText: string, segmentText: string): boolean {
  const quoted = /\btext\s*:(.*)$/is.exec(receiptText)?.[1];
  if (quoted === undefined) return true;
  const plain = (text: string) => text.replace(/[^A-Za-z0-9]/g, '');
  return plain(segmentText).startsWith(plain(quoted));
}

/** `+33612345678` → `+336••••••78`: enough for an agent to recognise, not a copy of the number in the audit trail. */
function maskedPhone(column: string): string {
  return `case when length(${column}) <= 6 then ${column} else left(${column}, 4) || repeat('•', length(${column}) - 6) || right(${column}, 2) end`;
}
