import { ApplicationFailure } from '@temporalio/activity';
import type { EntityManager } from '@mikro-orm/postgresql';
import { encodeSms } from '@/integrations/smpp/encoding.js';
import { SmppError } from '@/integrations/smpp/errors.js';
import type { SmppGateway } from '@/integrations/smpp/gateway.js';
import type { SmsDraft, SmsStatus, SmsStore } from '@/integrations/smpp/store.js';
import type { CitizenTemplate } from '@/domain/notifications/templates';
import { renderText } from '@/domain/notifications/templates';

/** Keys of SMS texts: the citizen templates, their short "read it online" variants and the STOP confirmation. */
export type SmsTemplateKey = CitizenTemplate | 'answer_link' | 'information_requested_link' | 'stop_confirmation';

/** A text longer than this many segments is replaced by its `_link` variant pointing to the tracking page. */
export const SMS_INLINE_MAX_SEGMENTS = 3;

// French defaults kept inside GSM 03.38 (no ç, ê, â, ô, ’): UCS-2 would halve what a billed segment holds.
/** French default SMS texts, used when a tenant has no `message_template` row with channel 'sms'. */
export const DEFAULT_SMS_TEMPLATES: Record<SmsTemplateKey, string> = {
  acknowledgement:
    'Demande {{reference}} enregistrée. Réponse au plus tard le {{dueDay}}. Suivi : {{trackingUrl}} code {{trackingCode}}',
  state_changed: 'Votre demande {{reference}} : {{stateLabel}}. Suivi : {{trackingUrl}}',
  information_requested:
    "Demande {{reference}} : nous avons besoin d'une précision. {{question}} Répondez par SMS{{#if smsNumber}} au {{smsNumber}}{{/if}} ou sur {{trackingUrl}}",
  information_requested_link:
    "Demande {{reference}} : nous avons besoin d'une précision. Lisez la question et répondez sur {{trackingUrl}}",
  answer: 'Réponse à votre demande {{reference}} : {{answer}}',
  answer_link: 'Une réponse à votre demande {{reference}} est disponible : {{trackingUrl}} (code de suivi du SMS de confirmation)',
  stop_confirmation: '{{tenantName}} : STOP pris en compte, vous ne recevrez plus nos SMS d\'information.',
};

const LINK_VARIANTS: Partial<Record<SmsTemplateKey, SmsTemplateKey>> = {
  answer: 'answer_link',
  information_requested: 'information_requested_link',
};

/** The texts of one tenant: its overrides over the defaults. */
export async function loadSmsTemplates(em: EntityManager, tenantId: string): Promise<Record<SmsTemplateKey, string>> {
  const rows = (await em.getConnection().execute(`select key, body from message_template where tenant_id = ? and channel = 'sms'`, [tenantId])) as Array<{
    key: string;
    body: string;
  }>;
  const templates = { ...DEFAULT_SMS_TEMPLATES };
  for (const row of rows) if (row.key in templates) templates[row.key as SmsTemplateKey] = row.body;
  return templates;
}

/** Renders an SMS; a text that would cost more than SMS_INLINE_MAX_SEGMENTS becomes its link variant. */
export function composeSms(key: SmsTemplateKey, vars: Record<string, unknown>, templates = DEFAULT_SMS_TEMPLATES): { key: SmsTemplateKey; text: string } {
  const text = squeeze(renderText(templates[key], vars));
  const variant = LINK_VARIANTS[key];
  if (variant && encodeSms(text).segmentCount > SMS_INLINE_MAX_SEGMENTS) return { key: variant, text: squeeze(renderText(templates[variant], vars)) };
  return { key, text };
}

/** What sending one SMS did. */
export interface SmsSendOutcome {
  id: string;
  status: SmsStatus;
  segmentCount: number;
  smscMessageIds: string[];
  /** True when an earlier attempt had already completed the submit: nothing was sent this time. */
  alreadySubmitted: boolean;
}

/** Sends SMS exactly once per idempotency key. */
export interface SmsChannel {
  send(draft: SmsDraft): Promise<SmsSendOutcome>;
}

/** The SMS channel: the store keeps the state, the gateway talks SMPP. */
export function createSmsChannel(deps: { store: SmsStore; gateway: SmppGateway }): SmsChannel {
  const { store, gateway } = deps;
  return {
    async send(draft) {
      const claim = await store.claim(draft);
      const { sms } = claim;
      if (claim.kind === 'done') {
        return { id: sms.id, status: sms.status, segmentCount: sms.segmentCount, smscMessageIds: sms.smscMessageIds, alreadySubmitted: true };
      }
      if (claim.kind === 'busy') throw new SmppError(`SMS ${draft.idempotencyKey} is being sent by another attempt`, { retryable: true });
      const writes: Array<Promise<void>> = [];
      try {
        const result = await gateway.submit({
          from: sms.from,
          to: sms.to,
          text: sms.text,
          registeredDelivery: true,
          reference: sms.udhReference,
          encoded: sms.encoded,
          acceptedSegments: sms.acceptedSegments,
          // Written the moment the SMSC answers, so a retry after a crash or a drop skips this segment. A single
          // segment is written with the status right after, in one commit: the window is the same.
          onSegmentAccepted: (index, messageId) => {
            if (sms.segmentCount > 1) writes.push(store.recordSegment(sms.id, index, messageId));
          },
          // Recorded before the gateway hands over receipts for these ids, so a receipt always finds its segment.
          record: ({ messageIds }) =>
            writes.length > 0 ? Promise.all(writes).then(() => store.markSubmitted(sms.id, messageIds)) : store.markSubmitted(sms.id, messageIds),
        });
        return { id: sms.id, status: 'submitted', segmentCount: result.segmentCount, smscMessageIds: result.messageIds, alreadySubmitted: false };
      } catch (error) {
        await Promise.allSettled(writes);
        const retryable = !(error instanceof SmppError) || error.retryable;
        await store.markFailed(sms.id, error as Error, !retryable);
        if (retryable) throw error;
        throw ApplicationFailure.create({ message: (error as Error).message, type: 'SmsRejected', nonRetryable: true, cause: error as Error });
      }
    },
  };
}

// Template line breaks cost a character each: keep the author's paragraphs, drop the runs of blank lines.
function squeeze(text: string): string {
  return text.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}
