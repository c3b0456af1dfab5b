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
