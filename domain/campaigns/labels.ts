/** French labels of the campaign states, for the console's list and campaign pages (server and client alike). */
const CAMPAIGN_STATE_LABELS: Record<string, string> = {
  draft: 'Brouillon',
  awaiting_approval: 'En attente d’approbation',
  approved: 'Approuvée, démarrage…',
  scheduled: 'Programmée',
  running: 'Envoi en cours',
  paused: 'En pause',
  done: 'Terminée',
  cancelled: 'Annulée',
};

/** French label of a campaign state. */
export function campaignStateLabel(state: string): string {
  return CAMPAIGN_STATE_LABELS[state] ?? state;
}
