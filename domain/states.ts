import type { IntakeChannel, RequestState } from './entities';

/** French labels of request states, as agents and citizens read them. */
export const STATE_LABELS: Record<RequestState, string> = {
  received: 'Non lu',
  in_progress: 'Traitement en cours',
  transferred: 'Transféré',
  awaiting_citizen: 'En attente du citoyen',
  awaiting_validation: 'En attente de validation',
  awaiting_payment: 'En attente de paiement',
  answered: 'Répondu',
  closed: 'Clos',
  rejected: 'Rejeté',
};

/** French labels of intake channels. */
export const CHANNEL_LABELS: Record<IntakeChannel, string> = {
  web: 'Internet',
  email: 'Courriel',
  sms: 'SMS',
  form: 'Formulaire',
  counter: 'Accueil',
  phone: 'Téléphone',
};

/** Formats an instant the French way in the tenant's time zone: "24/03/2026 à 16:37". */
export function formatFrenchDateTime(date: Date, timeZone = 'Europe/Paris'): string {
  const parts = new Intl.DateTimeFormat('fr-FR', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')}/${get('month')}/${get('year')} à ${get('hour')}:${get('minute')}`;
}
