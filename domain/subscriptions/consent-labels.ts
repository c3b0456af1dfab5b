import { formatDateTimeWithSeconds } from '@/domain/format/french';

/** French labels of a subscription's states. */
export const SUBSCRIPTION_STATUS_LABELS: Record<string, string> = {
  pending: 'En attente de confirmation',
  active: 'Abonné',
  unsubscribed: 'Désabonné',
};

/** French labels of the consent trail's events. */
export const CONSENT_EVENT_LABELS: Record<string, string> = {
  requested: 'Demande d’abonnement',
  confirmed: 'Consentement confirmé',
  withdrawn: 'Consentement retiré',
};

/** How a consent was given or withdrawn (the `via` of a proof, the method of an event), in plain French. */
export const CONSENT_METHOD_LABELS: Record<string, string> = {
  api: 'par l’API publique de la commune (site ou application)',
  portal: 'sur le portail de la commune',
  email_double_opt_in: 'par le lien de confirmation envoyé par courriel',
  sms_code: 'par le code de confirmation reçu par SMS',
  sms_keyword: 'par SMS au numéro de la commune (ABO ou STOP suivi du nom de la liste)',
  sms_stop: 'par SMS « STOP » au numéro de la commune (toutes les listes)',
  sms: 'par SMS au numéro de la commune',
  preferences_link: 'sur la page de préférences (lien personnel envoyé à l’abonné)',
  one_click: 'par le lien de désabonnement en un clic du courriel',
  import: 'par import d’un fichier par un agent de la commune',
};

/** French label of a consent method; an unknown one is shown as stored. */
export function consentMethodLabel(method: string | null | undefined): string {
  if (!method) return '—';
  return CONSENT_METHOD_LABELS[method] ?? method;
}

const PROOF_FIELD_LABELS: Record<string, string> = {
  via: 'Origine',
  clientAddress: 'Adresse IP',
  userAgent: 'Navigateur',
  attempt: 'Message de confirmation n°',
  address: 'Adresse confirmée',
  inboundSmsId: 'Identifiant du SMS reçu',
  text: 'Texte du SMS reçu',
  source: 'Source du consentement déclarée',
  fileName: 'Fichier importé',
  line: 'Ligne du fichier',
  agentId: 'Importé par',
  importedAt: 'Importé le',
  consentAt: 'Consentement donné le',
};

const DATE_FIELDS = new Set(['importedAt', 'consentAt']);

/** One line of a proof as an agent reads it. */
export interface ProofLine {
  label: string;
  value: string;
}

/**
 * A consent proof as lines of plain French: known fields named and formatted (dates in the tenant's time zone, the
 * importing agent by name), unknown ones kept as stored so nothing of the proof is hidden.
 */
export function proofLines(proof: Record<string, unknown> | null | undefined, options: { timeZone: string; agentNames?: ReadonlyMap<string, string> }): ProofLine[] {
  if (!proof) return [];
  return Object.entries(proof)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => ({ label: PROOF_FIELD_LABELS[key] ?? key, value: proofValue(key, value, options) }));
}

function proofValue(key: string, value: unknown, options: { timeZone: string; agentNames?: ReadonlyMap<string, string> }): string {
  if (key === 'via' && typeof value === 'string') return consentMethodLabel(value);
  // The citizen's own export names no agent: only the console resolves the id to a name.
  if (key === 'agentId' && typeof value === 'string') return options.agentNames ? (options.agentNames.get(value) ?? 'agent supprimé') : 'un agent de la commune';
  if (DATE_FIELDS.has(key) && typeof value === 'string' && !Number.isNaN(Date.parse(value))) return formatDateTimeWithSeconds(new Date(value), options.timeZone);
  return typeof value === 'string' ? value : JSON.stringify(value);
}
