import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { TenantSettings } from '@/domain/entities';
import type { StartRequestInput } from '@/domain/intake/start-input';
import type { IntakeReceipt } from '@/domain/intake/submission';
import { composeSms, loadSmsTemplates } from '@/domain/notifications/sms-texts';
import { query } from '@/domain/sql';
import type { EncodedSms } from './encoding';
import { smsSenderOf } from './sender';
import { tryParsePhone } from '@/domain/contact/phone';
import { parseListKeyword, subscribeBySms, unsubscribeAllBySms, unsubscribeBySms, type ListKeyword } from '@/domain/subscriptions/keywords';

/** An SMS from a handset, as the gateway hands it over: addresses in E.164, or a short code. */
export interface MobileOriginatedSms {
  from: string;
  to: string;
  text: string;
  segmentCount?: number;
}

/** What became of an inbound SMS. */
export type InboundOutcome =
  | { kind: 'request'; requestId: string; reference?: string }
  | { kind: 'reply'; requestId: string }
  | { kind: 'opt_out'; confirmationKey: string }
  | { kind: 'subscribed'; subscriptionId: string; list: string }
  | { kind: 'unsubscribed'; list: string }
  | { kind: 'unknown_number' }
  | { kind: 'refused'; detail: string }
  | { kind: 'duplicate'; of: string };

/** A tenant that receives SMS. */
export interface SmsTenant {
  id: string;
  slug: string;
  name: string;
  settings: TenantSettings;
}

/** Side effects the handler needs; the worker passes real ones, tests may pass their own. */
export interface InboundSmsDeps {
  orm: MikroORM;
  /** Files a new request (domain/intake/sms.ts). */
  submitRequest: (input: { tenantSlug: string; topic: string; from: string; text: string; beforeStart: (start: StartRequestInput) => Promise<void> }) => Promise<IntakeReceipt>;
  /** Delivers the text to a waiting request workflow (citizenReplySignal, via 'sms'). */
  signalReply: (workflowId: string, body: string) => Promise<void>;
  /** Sends one SMS exactly once per idempotency key (the STOP confirmation), already encoded. */
  sendSms: (sms: { tenantId: string; idempotencyKey: string; template: string; to: string; from: string; text: string; encoded: EncodedSms }) => Promise<unknown>;
  /** A redelivery of the same text from the same number within this window is the same SMS (default 10 min). */
  dedupeWindowMs?: number;
  /** An unfinished earlier handling younger than this is still running: ask the SMSC to retry (default 30 s). */
  inProgressMs?: number;
}

const STOP_WORDS = new Set(['STOP', 'STOPSMS', 'ARRET', 'DESABONNEMENT']);

/** Thrown when the same SMS is being handled right now: the gateway answers with a temporary error. */
export class InboundInProgressError extends Error {
  override name = 'InboundInProgressError';
}

/**
 * Handles one mobile-originated SMS: STOP (every list and every information SMS), `ABO <LISTE>` / `STOP <LISTE>`, a reply
 * to a waiting request, or a new request. Idempotent on redelivery.
 */
export function createInboundSmsHandler(deps: InboundSmsDeps) {
  const dedupeWindowMs = deps.dedupeWindowMs ?? 10 * 60_000;
  const inProgressMs = deps.inProgressMs ?? 30_000;

  return async function handleInboundSms(message: MobileOriginatedSms): Promise<InboundOutcome> {
    const em = deps.orm.em.fork();
    const { from, to } = message;
    const text = message.text.trim();
    const tenant = await tenantByNumber(em, to);
    const hash = createHash('sha256').update([tenant?.id ?? '', from, to, text].join('\u0000')).digest('hex');
    const inbound = await claimInbound(em, { tenantId: tenant?.id, from, to, text, hash, segmentCount: message.segmentCount ?? 1 });
    if (inbound.done) return { kind: 'duplicate', of: inbound.id };

    const outcome = await decide(em, inbound.id, inbound.requestId, tenant, from, text);
    const requestId = 'requestId' in outcome ? outcome.requestId : null;
    const detail = outcome.kind === 'refused' ? outcome.detail : null;
    await em.getConnection().execute('update sms_inbound set outcome = ?, request_id = coalesce(?, request_id), detail = ?, handled_at = now() where id = ?', [
      outcome.kind,
      requestId,
      detail,
      inbound.id,
    ]);
    return outcome;
  };

  async function claimInbound(
    em: EntityManager,
    sms: { tenantId?: string; from: string; to: string; text: string; hash: string; segmentCount: number },
  ): Promise<{ id: string; done: boolean; requestId: string | null }> {
    return em.transactional(async (tx) => {
      // Serialises concurrent deliveries of the same SMS (two binds, or a redelivery racing the first).
      await query(tx, 'select pg_advisory_xact_lock(hashtext(?))', [sms.hash]);
      const [previous] = await query<{ id: string; outcome: string; request_id: string | null; age_ms: number }>(
        tx,
        `select id, outcome, request_id, extract(epoch from now() - received_at) * 1000 as age_ms from sms_inbound
          where dedupe_hash = ? and received_at > now() - make_interval(secs => ?) order by received_at desc limit 1`,
        [sms.hash, dedupeWindowMs / 1000],
      );
      if (previous && previous.outcome !== 'received') return { id: previous.id, done: true, requestId: previous.request_id };
      if (previous) {
        if (Number(previous.age_ms) < inProgressMs) throw new InboundInProgressError(`SMS ${previous.id} is being handled`);
        // The earlier handling died half-way: take it over, keeping the request it may have created.
        await query(tx, 'update sms_inbound set received_at = now() where id = ?', [previous.id]);
        return { id: previous.id, done: false, requestId: previous.request_id };
      }
      const id = randomUUID();
      await query(tx, 
        `insert into sms_inbound (id, tenant_id, sender, recipient, text, dedupe_hash, segment_count) values (?, ?, ?, ?, ?, ?, ?)`,
        [id, sms.tenantId ?? null, sms.from, sms.to, sms.text, sms.hash, sms.segmentCount],
      );
      return { id, done: false, requestId: null };
    });
  }

  async function decide(em: EntityManager, inboundId: string, earlierRequestId: string | null, tenant: SmsTenant | undefined, from: string, text: string): Promise<InboundOutcome> {
    if (!tenant) return { kind: 'unknown_number' };
    if (earlierRequestId) {
      const [exists] = await query(em, 'select 1 from request where id = ?', [earlierRequestId]);
      if (exists) return { kind: 'request', requestId: earlierRequestId };
    }
    if (isStop(text)) return optOut(em, inboundId, tenant, from, text);
    const keyword = parseListKeyword(text);
    if (keyword) return listKeyword(em, inboundId, tenant, from, text, keyword);
    const waiting = await awaitingRequest(em, tenant.id, from);
    if (waiting) {
      await deps.signalReply(waiting.workflow_id, text || '(SMS sans texte)');
      return { kind: 'reply', requestId: waiting.id };
    }
    const topic = await chooseTopic(em, tenant, text);
    if (!topic) return { kind: 'refused', detail: 'Aucun thème actif pour recevoir les SMS' };
    try {
      const receipt = await deps.submitRequest({
        tenantSlug: tenant.slug,
        topic: topic.slug,
        from,
        text: topic.matchedKeyword ? text.slice(topic.matchedKeyword.length).trim() || text : text,
        beforeStart: async (start) => {
          await em.getConnection().execute('update sms_inbound set request_id = ? where id = ?', [start.requestId, inboundId]);
        },
      });
      const [row] = await query<{ id: string }>(em, 'select id from request where tenant_id = ? and reference = ?', [tenant.id, receipt.reference]);
      return { kind: 'request', requestId: row.id, reference: receipt.reference };
    } catch (error) {
      if ((error as Error).name === 'InputError') return { kind: 'refused', detail: (error as Error).message };
      throw error;
    }
  }

  async function listKeyword(em: EntityManager, inboundId: string, tenant: SmsTenant, phone: string, text: string, keyword: ListKeyword): Promise<InboundOutcome> {
    if (keyword.action === 'stop_all') return optOut(em, inboundId, tenant, phone, text);
    // A short code or an alphanumeric sender has no handset to subscribe or answer.
    if (tryParsePhone(phone) !== phone) return { kind: 'refused', detail: `Numéro non pris en charge : ${phone}` };
    const proof = { inboundId, text };
    const result =
      keyword.action === 'subscribe'
        ? await subscribeBySms(em, tenant.id, phone, keyword.list, proof)
        : await unsubscribeBySms(em, tenant.id, phone, keyword.list, proof);
    const templates = await loadSmsTemplates(em, tenant.id);
    const reply = (key: 'list_subscribed' | 'list_unsubscribed' | 'list_unknown', idempotencyKey: string, vars: Record<string, unknown>) => {
      const { text: body, encoded } = composeSms(key, { tenantName: tenant.name, ...vars }, templates);
      return deps.sendSms({ tenantId: tenant.id, idempotencyKey, template: key, to: phone, from: smsSenderOf(tenant.settings), text: body, encoded });
    };
    if (result.kind === 'unknown_list') {
      await reply('list_unknown', `sms:list-unknown:${inboundId}`, { lists: result.available.join(', '), example: result.available[0] ?? '' });
      return { kind: 'refused', detail: `Liste inconnue : ${keyword.list || '(aucune)'}` };
    }
    const vars = { listLabel: result.listLabel, listKeyword: result.listSlug.toUpperCase() };
    if (result.kind === 'subscribed') {
      await reply('list_subscribed', `sms:abo:${inboundId}`, vars);
      return { kind: 'subscribed', subscriptionId: result.subscriptionId, list: result.listSlug };
    }
    await reply('list_unsubscribed', `sms:stop-list:${inboundId}`, vars);
    return { kind: 'unsubscribed', list: result.listSlug };
  }

  async function optOut(em: EntityManager, inboundId: string, tenant: SmsTenant, phone: string, received: string): Promise<InboundOutcome> {
    // Every list of the number too: STOP ends every information SMS of the tenant.
    await unsubscribeAllBySms(em, tenant.id, phone, { inboundId, text: received });
    await em.getConnection().execute('insert into sms_opt_out (id, tenant_id, phone) values (?, ?, ?) on conflict (tenant_id, phone) do nothing', [
      randomUUID(),
      tenant.id,
      phone,
    ]);
    const [row] = await query<{ id: string }>(em, 'select id from sms_opt_out where tenant_id = ? and phone = ?', [tenant.id, phone]);
    // Keyed by the opt-out row: one confirmation however often STOP is sent, a new one after a re-subscription.
    const confirmationKey = `sms:stop:${row.id}`;
    // The French default, or the tenant's 'sms' template keyed stop_confirmation.
    const { key, text, encoded } = composeSms('stop_confirmation', { tenantName: tenant.name }, await loadSmsTemplates(em, tenant.id));
    await deps.sendSms({ tenantId: tenant.id, idempotencyKey: confirmationKey, template: key, to: phone, from: smsSenderOf(tenant.settings), text, encoded });
    return { kind: 'opt_out', confirmationKey };
  }
}

/** The tenant whose `settings.smsNumber` (a short code or E.164, as stored) is this destination. */
export async function tenantByNumber(em: EntityManager, to: string): Promise<SmsTenant | undefined> {
  const [tenant] = await query<SmsTenant>(em, "select id, slug, name, settings from tenant where settings->>'smsNumber' = ? order by created_at limit 1", [to]);
  return tenant;
}

/** True for `STOP` and its usual variants, whatever the case and accents. */
export function isStop(text: string): boolean {
  const word = stripAccents(text).toUpperCase().replace(/[^A-Z ]/g, '').trim();
  return STOP_WORDS.has(word.replace(/ /g, ''));
}

/** The topic an SMS goes to: its first word as a keyword, else the tenant's SMS default. */
export async function chooseTopic(em: EntityManager, tenant: SmsTenant, text: string): Promise<{ slug: string; matchedKeyword?: string } | undefined> {
  const topics = await query<{ slug: string; sms_keyword: string | null }>(
    em,
    'select slug, sms_keyword from topic where tenant_id = ? and active order by position, slug',
    [tenant.id],
  );
  const firstWord = /^\s*(\S+)/.exec(text)?.[1] ?? '';
  const keyword = stripAccents(firstWord).toUpperCase().replace(/[^A-Z0-9]/g, '');
  const byKeyword = topics.find((topic) => topic.sms_keyword && topic.sms_keyword.toUpperCase() === keyword);
  if (byKeyword && keyword) return { slug: byKeyword.slug, matchedKeyword: text.trimStart().slice(0, firstWord.length) };
  const preferred = tenant.settings.smsDefaultTopic ?? 'sms-maire';
  const fallback =
    topics.find((topic) => topic.slug === preferred) ?? topics.find((topic) => topic.sms_keyword) ?? topics[0];
  return fallback ? { slug: fallback.slug } : undefined;
}

async function awaitingRequest(em: EntityManager, tenantId: string, phone: string): Promise<{ id: string; workflow_id: string } | undefined> {
  // Both sides in E.164 (request_citizen_phone_idx).
  const [row] = await query<{ id: string; workflow_id: string }>(
    em,
    `select id, workflow_id from request
      where tenant_id = ? and citizen->>'phone' = ? and state = 'awaiting_citizen'
      order by updated_at desc limit 1`,
    [tenantId, phone],
  );
  return row;
}

function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}
