// Rules the mail intake applies to one message: loops and floods (RFC 3834), keyword routing, references in subjects.
import { findNumbers } from 'libphonenumber-js/max';
import type { TenantMailSettings } from '@/domain/entities';
import type { MailEnvelope } from './inbound-message';
import type { ParsedEmail } from './parsed-email';

/** Acknowledgements per sender per tenant per hour when the tenant sets none. */
export const DEFAULT_ACKNOWLEDGEMENTS_PER_HOUR = 5;

const LIST_PRECEDENCE = new Set(['bulk', 'junk', 'list']);
// RFC 3834 §2: mailer daemons, and the owner-* and *-request addresses of mailing lists.
const ROBOT_LOCAL = /^(?:mailer-daemon|mail-daemon|postmaster|owner-.+|.+-request)$/i;
const REFERENCE = /\bref(?:erence)?\b\.?\s*(?:n°|no\.?)?\s*:?\s*(\d{4}-\d{6,8})(?!\d)/i;

/** Lower case without accents, for matching what people type. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/**
 * Why a message must never be answered nor become a request (RFC 3834), in French; undefined for a message a person
 * wrote. `isOwn` tells whether an address is Relais's or the tenant's own.
 */
export function automaticMessageReason(parsed: ParsedEmail, envelope: MailEnvelope, isOwn: (address: string) => boolean): string | undefined {
  const { autoSubmitted, precedence, xAutoreply } = parsed.loop;
  if (autoSubmitted && foldText(autoSubmitted).split(/[;\s]/)[0] !== 'no') return `Message automatique (Auto-Submitted: ${autoSubmitted}).`;
  if (precedence && LIST_PRECEDENCE.has(foldText(precedence).trim())) return `Message de liste ou de masse (Precedence: ${precedence}).`;
  if (xAutoreply) return 'Réponse automatique (X-Autoreply).';
  const senders = [parsed.fromAddress, envelope.mailFrom ?? undefined].filter((address): address is string => Boolean(address));
  const robot = senders.find((address) => ROBOT_LOCAL.test(address.slice(0, address.lastIndexOf('@'))));
  if (robot) return `Expéditeur automatique (${robot}).`;
  if (envelope.source === 'smtp' && envelope.mailFrom === null) return "Expéditeur d'enveloppe vide : message automatique.";
  const own = senders.find(isOwn);
  if (own) return `Message envoyé par une adresse de la plateforme (${own}) : jamais traité, pour éviter les boucles.`;
  return undefined;
}

/** True when the sender asks for no automatic response (X-Auto-Response-Suppress: All or AutoReply). */
export function suppressesAutoResponse(parsed: ParsedEmail): boolean {
  const value = foldText(parsed.loop.xAutoResponseSuppress ?? '');
  return /\b(?:all|autoreply)\b/.test(value);
}

/** The request reference a subject names after "Réf." (`[Réf. 2026-000123]`, `Réf : 2026-000123`), if any. */
export function subjectReference(subject: string): string | undefined {
  return REFERENCE.exec(foldText(subject))?.[1];
}

/** The topic of the first keyword rule that matches the subject, else the first that matches the text. */
export function keywordTopic(rules: TenantMailSettings['keywordRules'], subject: string, text: string): string | undefined {
  if (!rules?.length) return undefined;
  for (const haystack of [subject, text]) {
    const folded = foldText(haystack);
    const rule = rules.find((candidate) => candidate.keywords.some((keyword) => containsWord(folded, foldText(keyword).trim())));
    if (rule) return rule.topic;
  }
  return undefined;
}

/** The first French mobile number written in a text, in E.164; undefined when there is none. */
export function findFrenchMobile(text: string): string | undefined {
  // Only the beginning: a number is given near the top, and the search costs time on a long text.
  for (const found of findNumbers(text.slice(0, 20_000), { defaultCountry: 'FR', v2: true })) {
    const type = found.number.getType();
    if (found.number.countryCallingCode === '33' && (type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE')) return found.number.number;
  }
  return undefined;
}

function containsWord(folded: string, keyword: string): boolean {
  if (!keyword) return false;
  let from = 0;
  for (;;) {
    const at = folded.indexOf(keyword, from);
    if (at < 0) return false;
    // Whole words only: 'acte' is not found in 'contacte'.
    if (!isWordCharacter(folded[at - 1]) && !isWordCharacter(folded[at + keyword.length])) return true;
    from = at + 1;
  }
}

function isWordCharacter(character: string | undefined): boolean {
  return character !== undefined && /[\p{L}\p{N}]/u.test(character);
}
