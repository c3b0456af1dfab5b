import type { EntityManager } from '@mikro-orm/postgresql';
import { encodeSms, type EncodedSms } from '@/domain/sms/encoding';
import { query } from '@/domain/sql';
import type { CitizenTemplate } from './templates';
import { renderText } from './templates';

/** Keys of SMS texts: the citizen templates, their short "read it online" variants and the STOP confirmation. */
export type SmsTemplateKey =
  | CitizenTemplate
  | 'answer_link'
  | 'information_requested_link'
  | 'stop_confirmation'
  | 'list_subscribed'
  | 'list_unsubscribed'
  | 'list_unknown';

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
  payment_receipt: 'Paiement de {{amount}} bien enregistré pour la demande {{reference}}. Votre justificatif : {{trackingUrl}}',
  stop_confirmation: '{{tenantName}} : STOP pris en compte, vous ne recevrez plus nos SMS d\'information.',
  list_subscribed: '{{tenantName}} : abonnement à "{{listLabel}}" enregistré. Envoyez STOP {{listKeyword}} pour ne plus le recevoir.',
  list_unsubscribed: '{{tenantName}} : vous ne recevrez plus "{{listLabel}}". Envoyez ABO {{listKeyword}} pour vous réabonner.',
  list_unknown: '{{tenantName}} : liste inconnue. Listes par SMS : {{lists}}. Exemple : ABO {{example}}',
};

const LINK_VARIANTS: Partial<Record<SmsTemplateKey, SmsTemplateKey>> = {
  answer: 'answer_link',
  information_requested: 'information_requested_link',
};

/** The texts of one tenant: its overrides over the defaults. */
export async function loadSmsTemplates(em: EntityManager, tenantId: string): Promise<Record<SmsTemplateKey, string>> {
  const rows = await query<{ key: string; body: string }>(em, `select key, body from message_template where tenant_id = ? and channel = 'sms'`, [tenantId]);
  const templates = { ...DEFAULT_SMS_TEMPLATES };
  for (const row of rows) if (row.key in templates) templates[row.key as SmsTemplateKey] = row.body;
  return templates;
}

/** An SMS ready to send: its template, its text and that text encoded, as the SMS store keeps and the gateway sends it. */
export interface ComposedSms {
  key: SmsTemplateKey;
  text: string;
  encoded: EncodedSms;
}

/** Renders and encodes an SMS; a text that would cost more than SMS_INLINE_MAX_SEGMENTS becomes its link variant. */
export function composeSms(key: SmsTemplateKey, vars: Record<string, unknown>, templates = DEFAULT_SMS_TEMPLATES): ComposedSms {
  const text = squeeze(renderText(templates[key], vars));
  const encoded = encodeSms(text);
  const variant = LINK_VARIANTS[key];
  if (!variant || encoded.segmentCount <= SMS_INLINE_MAX_SEGMENTS) return { key, text, encoded };
  const short = squeeze(renderText(templates[variant], vars));
  return { key: variant, text: short, encoded: encodeSms(short) };
}

// Template line breaks cost a character each: keep the author's paragraphs, drop the runs of blank lines.
function squeeze(text: string): string {
  return text.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}
