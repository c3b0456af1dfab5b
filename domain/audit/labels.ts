import { REQUEST_ACTIONS } from '@/domain/inbox/actions';
import { QUARANTINE_ACTIONS, quarantineAuditAction, type QuarantineActionName } from '@/domain/mail/quarantine';

/** French label of every action the audit trail records; the screen and the CSV export show these. */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'auth.login': 'Connexion',
  'auth.login_oidc': 'Connexion avec ProConnect',
  'auth.logout': 'Déconnexion',
  'auth.reset_requested': 'Demande de réinitialisation du mot de passe',
  'auth.password_reset': 'Mot de passe réinitialisé',
  'request.view': 'Consultation d’une demande',
  'request.attachment.download': 'Téléchargement d’une pièce jointe',
  'request.document.download': 'Téléchargement d’un document',
  'request.intake': 'Saisie d’une demande à l’accueil ou au téléphone',
  'request.resend': 'Message renvoyé au citoyen par un autre canal',
  ...Object.fromEntries(Object.entries(REQUEST_ACTIONS).map(([name, action]) => [`request.${name}`, action.label])),
  ...Object.fromEntries(Object.entries(QUARANTINE_ACTIONS).map(([name, action]) => [quarantineAuditAction(name as QuarantineActionName), action.label])),
  'dashboard.export': 'Export CSV du tableau de bord',
  'quality_report.generate': 'Production du rapport mensuel',
  'quality_report.download': 'Téléchargement du rapport mensuel',
  'audit.export': 'Export CSV du journal d’audit',
  'admin.department.create': 'Service créé',
  'admin.department.update': 'Service modifié',
  'admin.agent.create': 'Agent créé',
  'admin.agent.update': 'Agent ou rôles modifiés',
  'admin.topic.create': 'Thème créé',
  'admin.product.create': 'Produit du catalogue créé',
  'admin.product.update': 'Produit du catalogue modifié',
  'treasury.export': 'Export de rapprochement de la régie',
  'admin.topic.update': 'Thème modifié',
  'admin.list.create': 'Liste de diffusion créée',
  'admin.list.update': 'Liste de diffusion modifiée',
  'subscribers.import': 'Import d’abonnés (fichier CSV)',
  'subscribers.view': 'Consultation d’un abonné et de ses consentements',
  'admin.process.publish': 'Processus publié (nouvelle version)',
  'admin.answer_template.create': 'Modèle de réponse créé',
  'admin.answer_template.update': 'Modèle de réponse modifié',
  'admin.answer_template.delete': 'Modèle de réponse supprimé',
  'admin.message_template.update': 'Texte d’un message modifié',
  'admin.document_template.create': 'Modèle de document créé',
  'admin.document_template.update': 'Modèle de document modifié',
  'admin.document_template.delete': 'Modèle de document supprimé',
  'admin.branding.update': 'Apparence du portail modifiée',
  'admin.oidc.update': 'Connexion ProConnect paramétrée',
  'admin.limits.update': 'Limites de l’API publique modifiées',
  'admin.allowed-origins.update': 'Sites autorisés à intégrer le portail modifiés',
  'admin.settings.update': 'Paramètres modifiés',
  'admin.settings.retention': 'Durées de conservation modifiées',
  'admin.mail.update': 'Réglages du courriel entrant modifiés',
  'privacy.search': 'Recherche d’une personne',
  'privacy.view': 'Consultation des données d’une personne',
  'privacy.export.json': 'Export des données d’une personne (JSON)',
  'privacy.export.pdf': 'Export des données d’une personne (PDF)',
  'privacy.erasure': 'Effacement des données d’une personne',
  'privacy.anonymise': 'Anonymisation de demandes',
  'retention.documents': 'Conservation : pièces jointes et documents supprimés',
  'retention.message_logs': 'Conservation : journaux de SMS et de courriels supprimés',
  'retention.subscriptions': 'Conservation : abonnements résiliés supprimés, adresses des anciennes campagnes effacées',
  'retention.login_attempts': 'Conservation : anciennes tentatives de connexion supprimées',
  'retention.audit_purge': 'Conservation : anciennes entrées du journal purgées',
  'retention.run': 'Conservation : exécution quotidienne',
  'payment.notification_unknown': 'Paiement : notification pour un paiement inconnu',
  'payment.mismatch': 'Paiement : montant ou référence différents de ceux attendus',
  'payment.paid_after_expiry': 'Paiement : payé après expiration (à rembourser)',
  'payment.paid': 'Paiement : encaissé',
  'payment.refused': 'Paiement : refusé ou abandonné',
};

/** French label of how an action ended. */
export const AUDIT_OUTCOME_LABELS: Record<string, string> = { ok: 'Effectuée', refused: 'Refusée', failed: 'Échouée' };

/** The label of an action; an unknown one (a newer version's) shows its code rather than nothing. */
export function auditActionLabel(action: string): string {
  return AUDIT_ACTION_LABELS[action] ?? action;
}

/** The label of an outcome, with the special case every administrator looks for: a refused login. */
export function auditOutcomeLabel(action: string, outcome: string): string {
  if (outcome === 'refused' && (action === 'auth.login' || action === 'auth.login_oidc')) return 'Échec de connexion';
  return AUDIT_OUTCOME_LABELS[outcome] ?? outcome;
}

/** French names of the keys entries carry in their data; others show as they are. */
const DETAIL_KEYS: Record<string, string> = {
  via: 'depuis', by: 'par', fileId: 'fichier', reason: 'motif', counts: 'nombres', references: 'demandes', run: 'exécution', filters: 'filtres',
  rows: 'lignes', before: 'avant', after: 'après', ip: 'adresse IP', channel: 'canal', status: 'état', purged: 'entrées purgées',
  attachments: 'pièces jointes', documents: 'documents', notifications: 'notifications', smsMessages: 'SMS envoyés', smsInbound: 'SMS reçus', emailInbound: 'courriels reçus',
  policy: 'durées', asOf: 'date de référence', requests: 'demandes anonymisées', events: 'événements',
  person: 'personne', openReferences: 'demandes en cours', messagesWithoutRequest: 'messages hors demande', found: 'demandes trouvées',
  loginAttempts: 'tentatives de connexion', loginAttemptsMonths: 'tentatives de connexion (mois)',
};
const DETAIL_VALUES: Record<string, string> = { console: 'la console', api: 'l’API', agent: 'un agent', citizen: 'le citoyen', retention: 'conservation' };

/**
 * Keys shown before the others, in this order: PostgreSQL's jsonb reorders keys (shortest first), which put an erasure's
 * counts before its reason and cut the reason off the line.
 */
const LEADING_KEYS = ['reason', 'person', 'references', 'openReferences'];

function detailValue(key: string, value: unknown): string {
  // A person is audited masked with a keyed fingerprint: the masked form is what a reader recognises.
  if (key === 'person' && typeof value === 'object' && value !== null && typeof (value as { masked?: unknown }).masked === 'string') return (value as { masked: string }).masked;
  return typeof value === 'object' ? JSON.stringify(value) : (DETAIL_VALUES[String(value)] ?? String(value));
}

/** An entry's data as one short French line for the screen (the CSV keeps the JSON); the reason of an action comes first. */
export function auditDetails(data: Record<string, unknown>, max = 240): string {
  const rank = (key: string) => (LEADING_KEYS.includes(key) ? LEADING_KEYS.indexOf(key) : LEADING_KEYS.length);
  const text = Object.entries(data)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([key, value]) => `${DETAIL_KEYS[key] ?? key} : ${detailValue(key, value)}`)
    .join(' · ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
