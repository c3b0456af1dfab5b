import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Campaign, CampaignTemplate, SubscriptionList, Tenant, type CampaignState, type SubscriptionChannel } from '@/domain/entities';
import { smsLength, type SmsLength } from '@/domain/sms/length';
import { query } from '@/domain/sql';
import { orderedChannels } from '@/domain/subscriptions/lists';
import { withStopMention } from '@/domain/subscriptions/stop-mention';
import { ConflictError, InputError, NotFoundError, compileValidator } from '@/domain/validation';
import { fillTemplate, placeholders } from './templates';
import { spreadsheetCsv } from '@/domain/format/spreadsheet';
import { assertCleanText } from '@/domain/intake/text';

/** Who acts on a campaign: an agent of the tenant, and whether they may approve (a head or an administrator). */
export interface CampaignActor {
  tenantId: string;
  agentId: string;
  mayApprove: boolean;
  isAdmin: boolean;
}

/** What an agent composes: a list, a template (or a free text), the values of its placeholders, when to send. */
export interface CampaignDraftInput {
  list: string;
  template?: string;
  title: string;
  subject?: string;
  body: string;
  values?: Record<string, string>;
  channels?: SubscriptionChannel[];
  emergency?: boolean;
  /** ISO date-time; absent or past means as soon as approved. */
  scheduledAt?: string;
}

/** Longest campaign text: ten GSM segments, beyond which an SMS is no longer a short message. */
export const MAX_CAMPAIGN_TEXT = 1530;

const validateDraft = compileValidator<CampaignDraftInput>({
  type: 'object',
  additionalProperties: false,
  required: ['list', 'title', 'body'],
  properties: {
    list: { type: 'string', minLength: 1, maxLength: 63, errorMessage: 'Choisissez la liste.' },
    template: { type: 'string', format: 'uuid', errorMessage: 'Modèle inconnu.' },
    title: { type: 'string', minLength: 1, maxLength: 200, errorMessage: 'Donnez un titre (200 caractères au plus).' },
    subject: { type: 'string', maxLength: 200, errorMessage: 'L’objet fait 200 caractères au plus.' },
    body: { type: 'string', minLength: 1, maxLength: MAX_CAMPAIGN_TEXT, errorMessage: `Écrivez le message (${MAX_CAMPAIGN_TEXT} caractères au plus).` },
    values: {
      type: 'object',
      maxProperties: 40,
      additionalProperties: { type: 'string', maxLength: 500 },
      errorMessage: 'Valeurs des champs du modèle invalides (500 caractères au plus chacune).',
    },
    channels: {
      type: 'array',
      items: { enum: ['sms', 'email'] },
      minItems: 1,
      uniqueItems: true,
      errorMessage: 'Choisissez au moins un canal : SMS ou courriel.',
    },
    emergency: { type: 'boolean' },
    scheduledAt: { type: 'string', format: 'date-time', errorMessage: 'Date d’envoi invalide.' },
  },
});

/** A campaign as the console shows it (a plain object, never the entity). */
export interface CampaignView {
  id: string;
  title: string;
  subject: string;
  body: string;
  list: { slug: string; label: string };
  /** The template it was composed from, if any. */
  template?: string;
  channels: SubscriptionChannel[];
  state: CampaignState;
  emergency: boolean;
  createdBy: { id: string; name: string };
  approvedBy?: { id: string; name: string };
  scheduledAt?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  recipientCount: number;
}

/** What the composer previews: the SMS as sent (stop mention included), its length, and the recipients by channel. */
export interface CampaignPreview {
  smsText: string;
  sms: SmsLength;
  recipients: { sms: number; email: number; total: number };
  totalSegments: number;
}

/** Counters of a campaign's progress; `sent` includes `delivered`, `failed` includes refusals and failed receipts. */
export interface CampaignProgress {
  state: CampaignState;
  total: number;
  queued: number;
  sent: number;
  delivered: number;
  failed: number;
  optedOut: number;
  cancelled: number;
  /** Recipients done (anything but queued), over the total, 0 to 100. */
  percent: number;
}

/** The idempotency key of one recipient's message: the campaign and the recipient's rank in its snapshot. */
export function campaignMessageKey(campaignId: string, position: number): string {
  return `campaign:${campaignId}:${position}`;
}

/** Creates a draft; the text is the template (or free text) with its placeholders filled in. */
export async function composeCampaign(em: EntityManager, actor: CampaignActor, raw: unknown): Promise<CampaignView> {
  const fields = await draftFields(em, actor, raw);
  const campaign = em.create(Campaign, { id: randomUUID(), tenant: actor.tenantId, createdBy: actor.agentId, ...fields });
  await em.flush();
  return getCampaign(em, actor.tenantId, campaign.id);
}

/**
 * Rewrites a draft with what the composer sends (the same fields as a new one). Only its author, or an administrator,
 * may: a head who rewrote a colleague's campaign would then approve a text of their own.
 */
export async function updateCampaignDraft(em: EntityManager, actor: CampaignActor, id: string, raw: unknown): Promise<CampaignView> {
  const fields = await draftFields(em, actor, raw);
  const campaign = await loadCampaign(em, actor.tenantId, id);
  if (campaign.state !== 'draft') throw new ConflictError('Seul un brouillon peut être modifié : cette campagne a déjà été soumise.');
  if (campaign.createdBy.id !== actor.agentId && !actor.isAdmin) throw new ConflictError('Seul l’auteur de la campagne, ou un administrateur, peut modifier ce brouillon.');
  em.assign(campaign, { ...fields, template: fields.template ?? null, scheduledAt: fields.scheduledAt ?? null });
  await em.flush();
  return getCampaign(em, actor.tenantId, id);
}

/** The draft's fields from the composer's body: validated, the list and template the tenant's, placeholders filled in. */
async function draftFields(em: EntityManager, actor: CampaignActor, raw: unknown) {
  const input = validateDraft(raw);
  // Agents' texts are stored: one PostgreSQL would refuse is their mistake, named by field, not a failure.
  assertCleanText(input);
  const list = await em.getRepository(SubscriptionList).bySlug(actor.tenantId, input.list);
  if (!list) throw new InputError([{ path: '/list', message: 'Cette liste n’existe pas.' }]);
  let template: CampaignTemplate | null = null;
  if (input.template) {
    template = await em.findOne(CampaignTemplate, { id: input.template, tenant: actor.tenantId, list });
    if (!template) throw new InputError([{ path: '/template', message: 'Ce modèle n’appartient pas à cette liste.' }]);
  }
  const values = Object.fromEntries(Object.entries(input.values ?? {}).map(([key, value]) => [key.toLowerCase(), value]));
  const body = fillTemplate(input.body, values).trim();
  const subject = fillTemplate(input.subject?.trim() || input.title, values);
  if (!body) throw new InputError([{ path: '/body', message: 'Écrivez le message.' }]);
  const channels = orderedChannels(input.channels ?? list.channels).filter((channel) => list.channels.includes(channel));
  if (!channels.length) throw new InputError([{ path: '/channels', message: 'Cette liste n’est pas diffusée sur ce canal.' }]);
  const scheduledAt = input.scheduledAt ? new Date(input.scheduledAt) : undefined;
  return {
    list,
    template: template ?? undefined,
    title: input.title.trim(),
    subject,
    body,
    channels,
    emergency: input.emergency ?? false,
    scheduledAt: scheduledAt && scheduledAt.getTime() > Date.now() ? scheduledAt : undefined,
  };
}

/** The author (or any agent) sends a draft for a head's approval. */
export async function submitCampaign(em: EntityManager, actor: CampaignActor, id: string): Promise<CampaignView> {
  const campaign = await loadCampaign(em, actor.tenantId, id);
  if (campaign.state !== 'draft') throw new ConflictError('Cette campagne a déjà été soumise.');
  campaign.state = 'awaiting_approval';
  campaign.submittedAt = new Date();
  await em.flush();
  return getCampaign(em, actor.tenantId, id);
}

/**
 * A head or an administrator approves a campaign waiting for approval: the validation principle of the product, so
 * the author never approves their own (an administrator may). Approving again a campaign already approved is allowed,
 * so that a start that failed can be made again.
 */
export async function approveCampaign(em: EntityManager, actor: CampaignActor, id: string): Promise<Campaign> {
  if (!actor.mayApprove) throw new ConflictError('Seul un chef de service ou un administrateur peut approuver une campagne.');
  const campaign = await loadCampaign(em, actor.tenantId, id);
  if (campaign.state === 'approved') return campaign;
  if (campaign.state !== 'awaiting_approval') throw new ConflictError('Cette campagne n’attend pas d’approbation.');
  if (campaign.createdBy.id === actor.agentId && !actor.isAdmin) {
    throw new ConflictError('Vous ne pouvez pas approuver une campagne que vous avez rédigée : un autre chef de service doit le faire.');
  }
  campaign.state = 'approved';
  campaign.approvedBy = em.getReference('Agent', actor.agentId) as Campaign['approvedBy'];
  campaign.approvedAt = new Date();
  await em.flush();
  return campaign;
}

/** A head sends a campaign waiting for approval back to its draft. */
export async function returnCampaignToDraft(em: EntityManager, actor: CampaignActor, id: string): Promise<CampaignView> {
  if (!actor.mayApprove) throw new ConflictError('Seul un chef de service ou un administrateur peut refuser une campagne.');
  const campaign = await loadCampaign(em, actor.tenantId, id);
  if (campaign.state !== 'awaiting_approval') throw new ConflictError('Cette campagne n’attend pas d’approbation.');
  campaign.state = 'draft';
  await em.flush();
  return getCampaign(em, actor.tenantId, id);
}

/** One campaign of the tenant as a plain object; NotFoundError for another tenant's or an unknown id. */
export async function getCampaign(em: EntityManager, tenantId: string, id: string): Promise<CampaignView> {
  return toView(await loadCampaign(em, tenantId, id));
}

/** The tenant's campaigns, newest first. */
export async function listCampaigns(em: EntityManager, tenantId: string): Promise<CampaignView[]> {
  const campaigns = await em.getRepository(Campaign).ofTenant(tenantId);
  await em.populate(campaigns, ['approvedBy']);
  return campaigns.map(toView);
}

/** The lists an agent may send to (internal ones included), with their templates and placeholders. */
export async function composerLists(em: EntityManager, tenantId: string) {
  const lists = await em.getRepository(SubscriptionList).ofTenant(tenantId, { includeInternal: true });
  const templates = await em.find(CampaignTemplate, { tenant: tenantId }, { orderBy: { name: 'asc' } });
  return lists.map((list) => ({
    slug: list.slug,
    label: list.label,
    channels: orderedChannels(list.channels),
    templates: templates
      .filter((t) => t.list.id === list.id)
      .map((t) => ({ id: t.id, name: t.name, subject: t.subject, body: t.body, placeholders: placeholders(t.subject, t.body) })),
  }));
}

/** The SMS as a subscriber of the list reads it, its length, and how many recipients and segments a send makes now. */
export async function previewCampaign(em: EntityManager, tenantId: string, listSlug: string, body: string): Promise<CampaignPreview> {
  const tenant = await em.findOneOrFail(Tenant, { id: tenantId });
  const list = await em.getRepository(SubscriptionList).bySlug(tenantId, listSlug);
  if (!list) throw new NotFoundError(`list ${listSlug}`);
  const smsText = withStopMention(body, list.slug, tenant.settings.smsNumber);
  const sms = smsLength(smsText);
  const counts = await activeRecipientCounts(em, list.id, list.channels);
  return { smsText, sms, recipients: counts, totalSegments: counts.sms * sms.segments };
}

/** Active subscriptions of a list by channel, those the list is sent on. */
export async function activeRecipientCounts(em: EntityManager, listId: string, channels: readonly string[]) {
  const rows = await query<{ channel: SubscriptionChannel; n: string }>(
    em,
    `select p.channel, count(*) as n from subscription s join subscriber p on p.id = s.subscriber_id
      where s.list_id = ? and s.status = 'active' group by p.channel`,
    [listId],
  );
  const of = (channel: SubscriptionChannel) => (channels.includes(channel) ? Number(rows.find((r) => r.channel === channel)?.n ?? 0) : 0);
  return { sms: of('sms'), email: of('email'), total: of('sms') + of('email') };
}

/** Counters of a campaign, delivery receipts and bounces folded in. */
export async function campaignProgress(em: EntityManager, tenantId: string, id: string): Promise<CampaignProgress> {
  const campaign = await loadCampaign(em, tenantId, id);
  const rows = await query<{ status: string; delivery: string | null; n: string }>(
    em,
    `select r.status, coalesce(m.status, n.status) as delivery, count(*) as n
       from campaign_recipient r
       left join sms_message m on r.channel = 'sms' and m.idempotency_key = 'campaign:' || r.campaign_id || ':' || r.position
       left join notification n on r.channel = 'email' and n.idempotency_key = 'campaign:' || r.campaign_id || ':' || r.position
      where r.campaign_id = ? group by 1, 2`,
    [id],
  );
  const count = (predicate: (row: (typeof rows)[number]) => boolean) => rows.filter(predicate).reduce((sum, row) => sum + Number(row.n), 0);
  const total = count(() => true);
  const queued = count((r) => r.status === 'queued');
  const failedDelivery = ['failed', 'expired', 'bounced'];
  const progress = {
    state: campaign.state,
    total,
    queued,
    sent: count((r) => r.status === 'sent' && !failedDelivery.includes(r.delivery ?? '')),
    delivered: count((r) => r.status === 'sent' && r.delivery === 'delivered'),
    failed: count((r) => r.status === 'failed' || (r.status === 'sent' && failedDelivery.includes(r.delivery ?? ''))),
    optedOut: count((r) => r.status === 'opted_out' || r.status === 'no_channel'),
    cancelled: count((r) => r.status === 'cancelled'),
    percent: total === 0 ? (campaign.state === 'done' ? 100 : 0) : Math.floor(((total - queued) * 100) / total),
  };
  return progress;
}

/** One line of the per-recipient report. */
export interface CampaignReportLine {
  position: number;
  channel: string;
  address: string;
  status: string;
  delivery: string | null;
  sentAt: Date | null;
  error: string | null;
}

/** The per-recipient report, in snapshot order. */
export async function campaignReport(em: EntityManager, tenantId: string, id: string): Promise<CampaignReportLine[]> {
  await loadCampaign(em, tenantId, id);
  return query<CampaignReportLine>(
    em,
    `select r.position, r.channel, r.address, r.status, coalesce(m.status, n.status) as delivery, r.sent_at as "sentAt", coalesce(r.error, m.error) as error
       from campaign_recipient r
       left join sms_message m on r.channel = 'sms' and m.idempotency_key = 'campaign:' || r.campaign_id || ':' || r.position
       left join notification n on r.channel = 'email' and n.idempotency_key = 'campaign:' || r.campaign_id || ':' || r.position
      where r.campaign_id = ? order by r.position`,
    [id],
  );
}

const STATUS_LABELS: Record<string, string> = {
  queued: 'en attente',
  sent: 'envoyé',
  opted_out: 'désabonné',
  failed: 'échec',
  no_channel: 'canal indisponible',
  cancelled: 'annulé',
};

/** The per-recipient report as a CSV file for French spreadsheets (`;`, BOM). */
export async function campaignReportCsv(em: EntityManager, tenantId: string, id: string): Promise<string> {
  const lines = await campaignReport(em, tenantId, id);
  return spreadsheetCsv(
    lines.map((l) => [String(l.position), l.channel === 'sms' ? 'SMS' : 'courriel', l.address, STATUS_LABELS[l.status] ?? l.status, l.delivery ?? '', l.sentAt ? new Date(l.sentAt).toISOString() : '', l.error ?? '']),
    ['rang', 'canal', 'destinataire', 'statut', 'remise', 'envoyé le', 'erreur'],
  );
}

/** The campaign of a tenant, with its list and people; NotFoundError otherwise. */
export async function loadCampaign(em: EntityManager, tenantId: string, id: string): Promise<Campaign> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError(`campaign ${id}`);
  const campaign = await em.findOne(Campaign, { id, tenant: tenantId }, { populate: ['list', 'createdBy', 'approvedBy'] });
  if (!campaign) throw new NotFoundError(`campaign ${id}`);
  return campaign;
}

function toView(campaign: Campaign): CampaignView {
  return {
    id: campaign.id,
    title: campaign.title,
    subject: campaign.subject,
    body: campaign.body,
    list: { slug: campaign.list.slug, label: campaign.list.label },
    template: campaign.template?.id,
    channels: orderedChannels(campaign.channels),
    state: campaign.state,
    emergency: campaign.emergency,
    createdBy: { id: campaign.createdBy.id, name: campaign.createdBy.name },
    approvedBy: campaign.approvedBy ? { id: campaign.approvedBy.id, name: campaign.approvedBy.name } : undefined,
    scheduledAt: campaign.scheduledAt?.toISOString(),
    createdAt: campaign.createdAt.toISOString(),
    startedAt: campaign.startedAt?.toISOString(),
    finishedAt: campaign.finishedAt?.toISOString(),
    recipientCount: campaign.recipientCount,
  };
}
