import type { EntityManager } from '@mikro-orm/postgresql';
import { assertAddressesFree } from '@/domain/mail/declared-addresses';
import { Tenant, Topic } from '@/domain/entities';
import type { TenantMailSettings } from '@/domain/entities/tenant';
import { env } from '@/domain/env';
import { DEFAULT_IMAP_MAILBOX, DEFAULT_IMPORTED_FOLDER, imapUrlProblem, sealImapSettings, type ImapSettings } from '@/domain/mail/imap-settings';
import schema from '@/domain/tenant-config/tenant.schema.json' with { type: 'json' };
import { compileValidator, InputError, NotFoundError, type FieldError } from '@/domain/validation';
import { auditAdminChange, type AdminContext } from './context';

/** Acknowledgements per sender per hour when the tenant sets none (as the intake applies it). */
export const DEFAULT_ACKNOWLEDGEMENTS_PER_HOUR = 5;

/** The mailbox as the form shows it: never the password, only whether one is stored. */
export type MailboxView = Omit<ImapSettings, 'password'> & { hasPassword: boolean };

/** What the administration screen shows: the settings (password left out) and the addresses citizens can write to. */
export interface MailSettingsView {
  addresses: string[];
  defaultTopic?: string;
  keywordRules: Array<{ keywords: string[]; topic: string }>;
  acknowledgeBySms: boolean;
  acknowledgementsPerHour: number;
  imap: MailboxView | null;
  /** <tenant>@ and <topic>.<tenant>@ the inbound domain, for the active topics. */
  relaisAddresses: Array<{ address: string; topic?: string; label: string }>;
  topics: Array<{ slug: string; label: string }>;
}

/** The form's body, as the tenant file's settings.mail; `imap` null or absent removes the mailbox. */
type MailSettingsInput = TenantMailSettings;

// The tenant file's own schema for settings.mail: the form and `relais tenant:import` accept the same settings.
const validateShape = compileValidator<MailSettingsInput>(schema.properties.settings.properties.mail);

/** The tenant's inbound e-mail settings as the administration screen shows them. */
export async function loadMailSettings(em: EntityManager, tenantId: string): Promise<MailSettingsView> {
  const tenant = await em.findOne(Tenant, tenantId, { fields: ['slug', 'settings'], refresh: true });
  if (!tenant) throw new NotFoundError(`Unknown tenant ${tenantId}`);
  const mail = tenant.settings.mail ?? {};
  const topics = await activeTopics(em, tenantId);
  const domain = env().INBOUND_MAIL_DOMAIN.toLowerCase();
  const { password, ...imap } = mail.imap ?? ({} as Partial<ImapSettings>);
  return {
    addresses: mail.addresses ?? [],
    defaultTopic: mail.defaultTopic,
    keywordRules: mail.keywordRules ?? [],
    acknowledgeBySms: mail.acknowledgeBySms ?? false,
    acknowledgementsPerHour: mail.acknowledgementsPerHour ?? DEFAULT_ACKNOWLEDGEMENTS_PER_HOUR,
    imap: mail.imap ? { ...(imap as Omit<ImapSettings, 'password'>), hasPassword: Boolean(password) } : null,
    relaisAddresses: [
      { address: `${tenant.slug}@${domain}`, label: 'Toutes demandes (thème selon les mots-clés ou le thème par défaut)' },
      ...topics.map((t) => ({ address: `${t.slug}.${tenant.slug}@${domain}`, topic: t.slug, label: t.label })),
    ],
    topics,
  };
}

/** Checks the form (French field errors, JSON paths) against the tenant's active topics; the settings to store, password not yet sealed. */
export function parseMailSettings(body: unknown, topics: ReadonlySet<string>): MailSettingsInput {
  const input = validateShape(body);
  const errors: FieldError[] = [];
  const domain = env().INBOUND_MAIL_DOMAIN.toLowerCase();
  (input.addresses ?? []).forEach((address, i) => {
    if (address.toLowerCase().endsWith(`@${domain}`) || address.toLowerCase().endsWith(`.${domain}`)) {
      errors.push({ path: `/addresses/${i}`, message: `Les adresses en @${domain} sont déjà celles de Relais : déclarez ici les adresses de la commune.` });
    }
  });
  const lower = (input.addresses ?? []).map((a) => a.toLowerCase());
  lower.forEach((a, i) => {
    if (lower.indexOf(a) !== i) errors.push({ path: `/addresses/${i}`, message: `« ${input.addresses![i]} » apparaît deux fois.` });
  });
  const knownTopic = (slug: string | undefined, path: string) => {
    if (slug !== undefined && !topics.has(slug)) errors.push({ path, message: `Thème inconnu ou inactif « ${slug} ».` });
  };
  knownTopic(input.defaultTopic, '/defaultTopic');
  (input.keywordRules ?? []).forEach((rule, i) => {
    knownTopic(rule.topic, `/keywordRules/${i}/topic`);
    rule.keywords.forEach((keyword, j) => {
      if (!/\S/.test(keyword) || keyword.trim().length < 2) errors.push({ path: `/keywordRules/${i}/keywords/${j}`, message: 'Un mot-clé compte au moins deux caractères.' });
    });
  });
  if (input.imap) {
    const problem = imapUrlProblem(input.imap.url);
    if (problem) errors.push({ path: '/imap/url', message: problem });
    if ((input.imap.importedFolder ?? DEFAULT_IMPORTED_FOLDER) === (input.imap.mailbox ?? DEFAULT_IMAP_MAILBOX)) {
      errors.push({ path: '/imap/importedFolder', message: 'Le dossier des messages importés doit différer de la boîte relevée.' });
    }
  }
  if (errors.length) throw new InputError(errors);
  return input;
}

/** Saves the inbound e-mail settings from the administration screen: the password sealed, kept when left empty; audited without it. */
export async function saveMailSettings(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const cleaned = withoutEmptyPassword(body);
  const topics = new Set((await activeTopics(em, ctx.tenantId)).map((t) => t.slug));
  const input = parseMailSettings(cleaned, topics);
  await em.transactional(async (tx) => {
    const tenants = tx.getRepository(Tenant);
    const settings = await tenants.settingsOf(ctx.tenantId, { lock: true });
    if (!settings) throw new NotFoundError(`Unknown tenant ${ctx.tenantId}`);
    const before = settings.mail;
    await assertAddressesFree(tx, { id: ctx.tenantId }, input.addresses ?? [], '/addresses');
    const { imap, ...rest } = input;
    const mail: TenantMailSettings = {
      ...rest,
      keywordRules: rest.keywordRules?.map((r) => ({ topic: r.topic, keywords: r.keywords.map((k) => k.trim()) })),
      ...(imap ? { imap: sealImapSettings(imap, ctx.tenantId, before?.imap) } : {}),
    };
    await tenants.saveSetting(ctx.tenantId, 'mail', mail);
    await auditAdminChange(tx, ctx, 'admin.mail.update', 'mail', before && withoutPassword(before), withoutPassword(mail));
  });
}

async function activeTopics(em: EntityManager, tenantId: string): Promise<Array<{ slug: string; label: string }>> {
  const topics = await em.find(Topic, { tenant: tenantId, active: true }, { fields: ['slug', 'label'], orderBy: { position: 'asc', slug: 'asc' } });
  return topics.map((t) => ({ slug: t.slug, label: t.label }));
}

// `imap: null` (the mailbox removed) is stored as no mailbox; an empty password means "inchangé".
function withoutEmptyPassword(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const { imap, ...rest } = body as { imap?: unknown };
  if (imap === null) return rest;
  if (typeof imap !== 'object' || Array.isArray(imap) || (imap as { password?: unknown }).password !== '') return body;
  const { password: _empty, ...kept } = imap as Record<string, unknown>;
  return { ...rest, imap: kept };
}

// The audit trail says whether a password is stored, never the password or its envelope.
function withoutPassword(mail: TenantMailSettings) {
  if (!mail.imap) return mail;
  const { password, ...imap } = mail.imap;
  return { ...mail, imap: { ...imap, hasPassword: Boolean(password) } };
}
