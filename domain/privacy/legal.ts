import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { type AccessibilityStatus, type LegalSettings, Tenant, type TenantSettings } from '@/domain/entities';
import { frenchDate, frenchMonths } from '@/domain/format/french';
import { compileValidator, InputError, NotFoundError } from '@/domain/validation';
import { LOGIN_ATTEMPTS_MONTHS, retentionPolicyOf, type RetentionPolicy } from './retention-policy';

/** The RGAA conformity statuses, with the words the statement must use. */
export const ACCESSIBILITY_STATUS_LABELS: Record<AccessibilityStatus, string> = {
  non_conforme: 'non conforme',
  partiellement_conforme: 'partiellement conforme',
  totalement_conforme: 'totalement conforme',
};

/** What the privacy page says about data, purposes and processors until the administrator writes the tenant's own text. */
export const DEFAULT_PRIVACY_TEXT = `Lorsque vous posez une question, demandez un document, vous inscrivez à une activité ou vous abonnez à des alertes, la commune enregistre les informations que vous donnez : votre nom, votre adresse électronique, votre numéro de téléphone, votre adresse postale, votre message, vos réponses aux formulaires et les pièces jointes. Elle enregistre aussi l’historique du traitement de votre demande et les messages qui vous sont envoyés.

Ces données servent uniquement à traiter votre demande, à vous répondre, à vous informer de son avancement et à établir des statistiques anonymes sur la qualité du service. Ce traitement relève de la mission d’intérêt public de la commune (article 6-1-e du RGPD). Elles ne sont ni vendues ni utilisées à des fins commerciales.

Seuls les agents des services chargés de votre demande y ont accès. Des prestataires techniques les traitent pour le compte de la commune, qui leur interdit par contrat tout autre usage : l’hébergeur du service, l’opérateur d’envoi des SMS et le service d’envoi des courriels.`;

/** What the accessibility statement lists as not accessible until the administrator describes the audit's findings. */
export const DEFAULT_ACCESSIBILITY_TEXT = `La commune n’a pas encore publié la liste des contenus non accessibles. Le service a été conçu pour être utilisable au clavier et avec un lecteur d’écran, et il est vérifié automatiquement à chaque version.

Les documents PDF produits (courriers, attestations) peuvent ne pas être entièrement accessibles : sur simple demande, la commune vous les transmet sous une autre forme.`;

/** The legal texts of a tenant: its own where set, the defaults elsewhere. */
export function legalOf(settings: Partial<TenantSettings> | undefined): Required<Pick<LegalSettings, 'accessibilityStatus'>> & LegalSettings & { privacyText: string; accessibilityText: string } {
  const legal = settings?.legal ?? {};
  return {
    ...legal,
    privacyText: legal.privacyText?.trim() || DEFAULT_PRIVACY_TEXT,
    accessibilityText: legal.accessibilityText?.trim() || DEFAULT_ACCESSIBILITY_TEXT,
    // Without an audit the RGAA model says "non conforme".
    accessibilityStatus: legal.accessibilityStatus ?? 'non_conforme',
  };
}

/** A text typed by an administrator, as paragraphs of lines: shown as text, never as HTML. */
export function paragraphs(text: string): string[][] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((block) => block.split('\n').map((line) => line.trim()).filter(Boolean))
    .filter((lines) => lines.length > 0);
}

/** The retention durations of the privacy page, from the tenant's configured policy. */
export function retentionLines(policy: RetentionPolicy): Array<{ what: string; duration: string }> {
  return [
    { what: 'Demandes closes (coordonnées, messages, réponses aux formulaires), anonymisées ensuite', duration: `${frenchMonths(policy.requestsMonths)} après la clôture` },
    { what: 'Pièces jointes et documents produits', duration: `${frenchMonths(policy.documentsMonths)} après la clôture` },
    { what: 'Historique des SMS et des courriels envoyés et reçus', duration: frenchMonths(policy.messageLogsMonths) },
    {
      what: 'Abonnements aux alertes résiliés ou jamais confirmés (adresse, preuves du consentement), adresses des destinataires des campagnes',
      duration: `${frenchMonths(policy.messageLogsMonths)} après le désabonnement, la demande ou la fin de la campagne`,
    },
    { what: 'Tentatives de connexion des agents (adresse électronique, adresse IP)', duration: frenchMonths(LOGIN_ATTEMPTS_MONTHS) },
    { what: 'Journal des actions des agents (traçabilité)', duration: policy.auditYears === 1 ? '1 an' : `${policy.auditYears} ans` },
  ];
}

/** The tenant's legal pages, loaded by id. */
export async function loadLegalPages(em: EntityManager, tenantId: string): Promise<ReturnType<typeof legalPages>> {
  return legalPages(await settingsOf(em, tenantId));
}

/** The texts as the administration form edits them: the tenant's own, or the defaults to start from. */
export async function legalForm(em: EntityManager, tenantId: string): Promise<{ privacyText: string; dpoContact: string; accessibilityStatus: AccessibilityStatus; accessibilityText: string; auditDate: string }> {
  const legal = legalOf(await settingsOf(em, tenantId));
  return { privacyText: legal.privacyText, dpoContact: legal.dpoContact ?? '', accessibilityStatus: legal.accessibilityStatus, accessibilityText: legal.accessibilityText, auditDate: legal.auditDate ?? '' };
}

async function settingsOf(em: EntityManager, tenantId: string, options: { lock?: boolean } = {}): Promise<TenantSettings> {
  const settings = await em.getRepository(Tenant).settingsOf(tenantId, options);
  if (!settings) throw new NotFoundError(`Unknown tenant ${tenantId}`);
  return settings;
}

/** Everything the portal's privacy page and accessibility statement show, as plain values. */
export function legalPages(settings: Partial<TenantSettings>) {
  const legal = legalOf(settings);
  return {
    privacy: paragraphs(legal.privacyText),
    dpoContact: legal.dpoContact?.trim() || null,
    accessibility: paragraphs(legal.accessibilityText),
    accessibilityStatus: legal.accessibilityStatus,
    accessibilityStatusLabel: ACCESSIBILITY_STATUS_LABELS[legal.accessibilityStatus],
    auditDate: legal.auditDate ? frenchDate(legal.auditDate) : null,
    retention: retentionLines(retentionPolicyOf(settings)),
  };
}

const validateLegal = compileValidator<{ privacyText?: string; dpoContact?: string; accessibilityStatus: AccessibilityStatus; accessibilityText?: string; auditDate?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: {
    privacyText: { type: 'string', maxLength: 20000, errorMessage: 'Le texte ne doit pas dépasser 20 000 caractères.' },
    dpoContact: { type: 'string', maxLength: 500, errorMessage: 'Les coordonnées du délégué ne doivent pas dépasser 500 caractères.' },
    accessibilityStatus: { enum: Object.keys(ACCESSIBILITY_STATUS_LABELS), default: 'non_conforme', errorMessage: 'Choisissez l’état de conformité.' },
    accessibilityText: { type: 'string', maxLength: 20000, errorMessage: 'Le texte ne doit pas dépasser 20 000 caractères.' },
    auditDate: { type: 'string', anyOf: [{ format: 'date' }, { maxLength: 0 }], errorMessage: 'Date au format AAAA-MM-JJ.' },
  },
});

/** Saves the tenant's privacy and accessibility texts (empty means the default); audited as a settings change. */
export async function saveLegal(em: EntityManager, ctx: { tenantId: string; agentId: string }, body: unknown): Promise<void> {
  const input = validateLegal(body);
  if (input.accessibilityStatus !== 'non_conforme' && !input.auditDate) {
    throw new InputError([{ path: '/auditDate', message: 'Un état « partiellement » ou « totalement conforme » repose sur un audit : indiquez sa date.' }]);
  }
  const legal: LegalSettings = {
    accessibilityStatus: input.accessibilityStatus,
    ...(input.privacyText?.trim() ? { privacyText: input.privacyText.trim() } : {}),
    ...(input.dpoContact?.trim() ? { dpoContact: input.dpoContact.trim() } : {}),
    ...(input.accessibilityText?.trim() ? { accessibilityText: input.accessibilityText.trim() } : {}),
    ...(input.auditDate ? { auditDate: input.auditDate } : {}),
  };
  await em.transactional(async (tx) => {
    const before = (await settingsOf(tx, ctx.tenantId, { lock: true })).legal;
    await tx.getRepository(Tenant).saveSetting(ctx.tenantId, 'legal', legal);
    await writeAudit(tx, { tenantId: ctx.tenantId, agentId: ctx.agentId, action: 'admin.settings.update', target: 'legal', data: { before: before ?? null, after: legal } });
  });
}
