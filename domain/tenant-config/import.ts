import { randomUUID } from 'node:crypto';
import { assertAddressesFree } from '@/domain/mail/declared-addresses';
import fs from 'node:fs/promises';
import path from 'node:path';
import { hash, verify } from '@node-rs/argon2';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { parseSmsNumber } from '@/domain/contact/phone';
import { parseDelay } from '@/domain/deadlines/delay';
import { env } from '@/domain/env';
import { DEFAULT_IMAP_MAILBOX, DEFAULT_IMPORTED_FOLDER, imapUrlProblem, sealImapSettings } from '@/domain/mail/imap-settings';
import { validateCascade, type EscalationStep } from '@/domain/deadlines/escalation';
import type { DepartmentRole, ProductPricing, TenantBranding, TenantSettings } from '@/domain/entities';
import { query } from '@/domain/sql';
import { processExists } from '@/domain/processes/store';
import { SHIPPED_PROCESSES } from '@/processes/shipped';
import { upsertLists, type ListConfig } from '@/domain/subscriptions/lists';
import { InputError, compileValidator, type FieldError } from '@/domain/validation';
import schema from './tenant.schema.json' with { type: 'json' };
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';

/** A tenant configuration file, as the JSON Schema describes it. */
export interface TenantConfig {
  slug: string;
  name: string;
  hostnames?: string[];
  branding?: Partial<TenantBranding>;
  settings: Partial<TenantSettings> & Pick<TenantSettings, 'organisation'>;
  departments: Array<{ slug: string; name: string; email?: string; escalation?: EscalationStep[] }>;
  topics: Array<{
    slug: string;
    label: string;
    department: string;
    kind?: string;
    delay: string;
    businessDays?: boolean;
    validationRequired?: boolean;
    smsKeyword?: string;
    form?: string;
    /** The process its requests follow (a topic without a form; a form names its own). */
    process?: string;
    position?: number;
    active?: boolean;
  }>;
  agents?: Array<{ email: string; name: string; password?: string; isAdmin?: boolean; isDpo?: boolean; isTreasurer?: boolean; active?: boolean; roles?: Array<{ department: string; role: DepartmentRole }> }>;
  answerTemplates?: Array<{ slug: string; title: string; body: string; department?: string }>;
  messageTemplates?: Array<{ key: string; channel?: string; subject?: string; body: string }>;
  lists?: ListConfig[];
  /** What the tenant sells online; amounts in cents. */
  products?: Array<{
    slug: string;
    label: string;
    description?: string;
    pricing: ProductPricing;
    stock?: number;
    maxPerCitizen?: number;
    salesStart?: string;
    salesEnd?: string;
    active?: boolean;
  }>;
}

/** The demo tenant file every environment starts from ("Ville de Démo"). */
export const DEMO_TENANT_FILE = path.join('domain', 'tenant-config', 'demo-tenant.json');

/** Defaults of every tenant setting a file may leave out. */
export const DEFAULT_SETTINGS: TenantSettings = {
  organisation: 'decentralised',
  validationRequired: false,
  stopClockWhileAwaitingCitizen: true,
  citizenNotifications: ['in_progress', 'awaiting_citizen', 'closed'],
  closureDays: [],
  timeZone: DEFAULT_TIME_ZONE,
  autoCloseAfter: 'P30D',
};

const validateShape = compileValidator<TenantConfig>(schema);

/** Checks a parsed configuration: the JSON Schema, then references between its parts. */
export function validateTenantConfig(value: unknown): TenantConfig {
  const config = validateShape(value);
  const errors: FieldError[] = [];
  const departments = new Set(config.departments.map((d) => d.slug));
  const duplicates = (items: Array<{ slug?: string; email?: string }>, field: 'slug' | 'email', at: string) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const key = String(item[field]).toLowerCase();
      if (seen.has(key)) errors.push({ path: `/${at}/${i}/${field}`, message: `« ${item[field]} » apparaît deux fois.` });
      seen.add(key);
    });
  };
  duplicates(config.departments, 'slug', 'departments');
  duplicates(config.topics, 'slug', 'topics');
  duplicates(config.lists ?? [], 'slug', 'lists');
  duplicates(config.agents ?? [], 'email', 'agents');
  const knownDepartment = (slug: string | undefined, path: string) => {
    if (slug !== undefined && !departments.has(slug)) errors.push({ path, message: `Service inconnu « ${slug} » : déclarez-le dans departments.` });
  };
  if (config.settings.organisation === 'centralised') {
    if (!config.settings.receptionDepartment) errors.push({ path: '/settings/receptionDepartment', message: "Une organisation centralisée doit nommer son service d'accueil." });
    knownDepartment(config.settings.receptionDepartment, '/settings/receptionDepartment');
  }
  if (config.settings.timeZone && !isTimeZone(config.settings.timeZone)) errors.push({ path: '/settings/timeZone', message: 'Fuseau horaire inconnu.' });
  if (config.settings.smsNumber !== undefined) {
    // Stored as a short code or in E.164, the form the SMPP gateway hands inbound SMS over in.
    try {
      config.settings.smsNumber = parseSmsNumber(config.settings.smsNumber);
    } catch (error) {
      errors.push({ path: '/settings/smsNumber', message: (error as Error).message });
    }
  }
  errors.push(...mailRoutingProblems(config));
  errors.push(...productProblems(config));
  const imap = config.settings.mail?.imap;
  if (imap) {
    const problem = imapUrlProblem(imap.url);
    if (problem) errors.push({ path: '/settings/mail/imap/url', message: problem });
    if ((imap.importedFolder ?? DEFAULT_IMPORTED_FOLDER) === (imap.mailbox ?? DEFAULT_IMAP_MAILBOX)) {
      errors.push({ path: '/settings/mail/imap/importedFolder', message: 'Le dossier des messages importés doit différer de la boîte relevée.' });
    }
  }
  for (const [path, delay] of [['/settings/autoCloseAfter', config.settings.autoCloseAfter], ...config.topics.map((t, i) => [`/topics/${i}/delay`, t.delay])] as const) {
    if (delay === undefined) continue;
    try {
      parseDelay(delay);
    } catch (error) {
      errors.push({ path, message: `Délai invalide : ${(error as Error).message}` });
    }
  }
  config.departments.forEach((d, i) => {
    for (const issue of validateCascade(d.escalation ?? [])) errors.push({ path: `/departments/${i}/escalation/${issue.index}`, message: issue.message });
  });
  config.topics.forEach((t, i) => knownDepartment(t.department, `/topics/${i}/department`));
  config.topics.forEach((t, i) => {
    if (t.process !== undefined && t.form !== undefined) {
      errors.push({ path: `/topics/${i}/process`, message: 'Un thème avec formulaire suit le processus que nomme son formulaire : retirez « process ».' });
    }
  });
  (config.agents ?? []).forEach((a, i) => (a.roles ?? []).forEach((r, j) => knownDepartment(r.department, `/agents/${i}/roles/${j}/department`)));
  (config.answerTemplates ?? []).forEach((t, i) => knownDepartment(t.department, `/answerTemplates/${i}/department`));
  if (errors.length) throw new InputError(errors);
  return config;
}

/** Products whose brackets, sales dates or slugs do not fit, and online payment naming unknown products. */
function productProblems(config: TenantConfig): FieldError[] {
  const errors: FieldError[] = [];
  const products = config.products ?? [];
  const seen = new Set<string>();
  products.forEach((product, i) => {
    if (seen.has(product.slug)) errors.push({ path: `/products/${i}/slug`, message: `« ${product.slug} » apparaît deux fois.` });
    seen.add(product.slug);
    if (product.pricing.kind === 'bracket') {
      const { brackets } = product.pricing;
      brackets.forEach((bracket, j) => {
        const last = j === brackets.length - 1;
        if (last && bracket.upTo !== undefined) errors.push({ path: `/products/${i}/pricing/brackets/${j}/upTo`, message: 'La dernière tranche ne doit pas avoir de plafond : elle prend tout le reste.' });
        if (!last && bracket.upTo === undefined) errors.push({ path: `/products/${i}/pricing/brackets/${j}/upTo`, message: 'Seule la dernière tranche peut être sans plafond.' });
        const previous = brackets[j - 1]?.upTo;
        if (bracket.upTo !== undefined && previous !== undefined && bracket.upTo <= previous) {
          errors.push({ path: `/products/${i}/pricing/brackets/${j}/upTo`, message: 'Les plafonds des tranches doivent être croissants.' });
        }
      });
    }
    if (product.salesStart && product.salesEnd && Date.parse(product.salesStart) >= Date.parse(product.salesEnd)) {
      errors.push({ path: `/products/${i}/salesEnd`, message: 'La fin des ventes doit suivre leur ouverture.' });
    }
  });
  (config.settings.payment?.products ?? []).forEach((slug, i) => {
    if (!seen.has(slug)) errors.push({ path: `/settings/payment/products/${i}`, message: `Produit inconnu « ${slug} » : déclarez-le dans products.` });
  });
  return errors;
}

/** Inbound e-mail settings that name unknown topics, or the inbound domain's addresses, which are Relais's own. */
function mailRoutingProblems(config: TenantConfig): FieldError[] {
  const mail = config.settings.mail;
  if (!mail) return [];
  const errors: FieldError[] = [];
  const topics = new Set(config.topics.map((t) => t.slug));
  const knownTopic = (slug: string | undefined, path: string) => {
    if (slug !== undefined && !topics.has(slug)) errors.push({ path, message: `Thème inconnu « ${slug} » : déclarez-le dans topics.` });
  };
  knownTopic(mail.defaultTopic, '/settings/mail/defaultTopic');
  (mail.keywordRules ?? []).forEach((rule, i) => knownTopic(rule.topic, `/settings/mail/keywordRules/${i}/topic`));
  const domain = env().INBOUND_MAIL_DOMAIN.toLowerCase();
  (mail.addresses ?? []).forEach((address, i) => {
    if (!address.toLowerCase().endsWith(`@${domain}`)) return;
    errors.push({
      path: `/settings/mail/addresses/${i}`,
      message: `« ${address} » est une adresse de Relais (domaine ${domain}), qui reçoit déjà sans être déclarée : indiquez ici les adresses de la commune (par exemple mairie@ville.fr).`,
    });
  });
  return errors;
}

/** Reads, validates and imports a tenant file. */
export async function importTenantFile(orm: MikroORM, file: string): Promise<ImportSummary> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (cause) {
    throw new InputError([{ path: '', message: `${file} n'est pas un fichier JSON lisible : ${(cause as Error).message}` }]);
  }
  return importTenant(orm, validateTenantConfig(parsed));
}

/** What an import changed. */
export interface ImportSummary {
  tenantId: string;
  slug: string;
  departments: number;
  topics: number;
  agents: number;
}

/** Upserts a validated configuration in one transaction; importing the same file twice changes nothing. */
export async function importTenant(orm: MikroORM, config: TenantConfig): Promise<ImportSummary> {
  const passwords = await hashPasswords(orm, config);
  return orm.em.fork().transactional(async (em) => {
    await assertAddressesFree(em, { slug: config.slug }, config.settings.mail?.addresses ?? [], '/settings/mail/addresses');
    const tenantId = await upsertTenant(em, config);
    const departmentIds = new Map<string, string>();
    for (const d of config.departments) departmentIds.set(d.slug, await upsertDepartment(em, tenantId, d));
    await assertTopicProcessesExist(em, tenantId, config.topics);
    for (const [position, t] of config.topics.entries()) await upsertTopic(em, tenantId, departmentIds, t, position);
    for (const a of config.agents ?? []) await upsertAgent(em, tenantId, departmentIds, a, passwords.get(a.email.toLowerCase()));
    for (const t of config.answerTemplates ?? []) {
      await query(em, 
        `insert into answer_template (id, tenant_id, department_id, slug, title, body) values (?, ?, ?, ?, ?, ?)
         on conflict (tenant_id, slug) do update set department_id = excluded.department_id, title = excluded.title, body = excluded.body`,
        [randomUUID(), tenantId, t.department ? departmentIds.get(t.department) : null, t.slug, t.title, t.body],
      );
    }
    for (const t of config.messageTemplates ?? []) {
      await query(em, 
        `insert into message_template (id, tenant_id, key, channel, subject, body) values (?, ?, ?, ?, ?, ?)
         on conflict (tenant_id, key, channel) do update set subject = excluded.subject, body = excluded.body`,
        [randomUUID(), tenantId, t.key, t.channel ?? 'email', t.subject ?? null, t.body],
      );
    }
    await upsertLists(em, tenantId, config.lists ?? []);
    for (const p of config.products ?? []) {
      // The stock a file sets never drops below what is already held or sold (the table's check refuses it).
      await query(em,
        `insert into product (id, tenant_id, slug, label, description, pricing, stock, max_per_citizen, sales_start, sales_end, active)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (tenant_id, slug) do update set label = excluded.label, description = excluded.description, pricing = excluded.pricing,
           stock = case when excluded.stock is null then null else greatest(excluded.stock, product.reserved) end,
           max_per_citizen = excluded.max_per_citizen, sales_start = excluded.sales_start, sales_end = excluded.sales_end,
           active = excluded.active, updated_at = now()`,
        [
          randomUUID(), tenantId, p.slug, p.label, p.description ?? null, JSON.stringify(p.pricing), p.stock ?? null, p.maxPerCitizen ?? null,
          p.salesStart ?? null, p.salesEnd ?? null, p.active ?? true,
        ],
      );
    }
    return { tenantId, slug: config.slug, departments: config.departments.length, topics: config.topics.length, agents: config.agents?.length ?? 0 };
  });
}

async function upsertTenant(em: EntityManager, config: TenantConfig): Promise<string> {
  const [existing] = await query<{ id: string; settings: TenantSettings }>(em, 'select id, settings from tenant where slug = ? for update', [config.slug]);
  // The id is known before the insert: it is the authenticated context of the sealed IMAP password.
  const tenantId = existing?.id ?? randomUUID();
  const settings: TenantSettings = { ...DEFAULT_SETTINGS, ...config.settings };
  if (settings.mail?.imap) settings.mail = { ...settings.mail, imap: sealImapSettings(settings.mail.imap, tenantId, existing?.settings.mail?.imap) };
  const branding = { primaryColor: '#000091', ...config.branding };
  const [row] = await query<{ id: string }>(
    em,
    `insert into tenant (id, slug, name, hostnames, branding, settings, created_at, updated_at) values (?, ?, ?, ?, ?, ?, now(), now())
     on conflict (slug) do update set name = excluded.name, hostnames = excluded.hostnames, branding = excluded.branding,
       settings = excluded.settings, updated_at = now()
     returning id`,
    [tenantId, config.slug, config.name, JSON.stringify(config.hostnames ?? []), JSON.stringify(branding), JSON.stringify(settings)],
  );
  // A concurrent first import of the same slug won the insert: seal again with the id it gave the tenant.
  if (row.id !== tenantId) return upsertTenant(em, config);
  return row.id;
}

async function upsertDepartment(em: EntityManager, tenantId: string, d: TenantConfig['departments'][number]): Promise<string> {
  const [row] = await query<{ id: string }>(
    em,
    `insert into department (id, tenant_id, slug, name, email, escalation, created_at) values (?, ?, ?, ?, ?, ?, now())
     on conflict (tenant_id, slug) do update set name = excluded.name, email = excluded.email, escalation = excluded.escalation
     returning id`,
    [randomUUID(), tenantId, d.slug, d.name, d.email ?? null, d.escalation ? JSON.stringify(d.escalation) : null],
  );
  return row.id;
}

// In the import's transaction: a topic may name a shipped process or one the tenant imported before.
async function assertTopicProcessesExist(em: EntityManager, tenantId: string, topics: TenantConfig['topics']): Promise<void> {
  const errors: FieldError[] = [];
  for (const [i, t] of topics.entries()) {
    if (t.process === undefined || SHIPPED_PROCESSES.some((p) => p.slug === t.process) || (await processExists(em, tenantId, t.process))) continue;
    errors.push({ path: `/topics/${i}/process`, message: `Processus inconnu « ${t.process} » : importez-le d’abord (npx relais process:import).` });
  }
  if (errors.length) throw new InputError(errors);
}

async function upsertTopic(em: EntityManager, tenantId: string, departments: Map<string, string>, t: TenantConfig['topics'][number], position: number) {
  await query(em, 
    `insert into topic (id, tenant_id, slug, label, department_id, kind, delay, business_days, validation_required, sms_keyword, form, process, position, active)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (tenant_id, slug) do update set label = excluded.label, department_id = excluded.department_id, kind = excluded.kind,
       delay = excluded.delay, business_days = excluded.business_days, validation_required = excluded.validation_required,
       sms_keyword = excluded.sms_keyword, form = excluded.form, process = excluded.process, position = excluded.position, active = excluded.active`,
    [
      randomUUID(), tenantId, t.slug, t.label, departments.get(t.department), t.kind ?? 'question', t.delay, t.businessDays ?? false,
      t.validationRequired ?? false, t.smsKeyword ?? null, t.form ?? null, t.process ?? null, t.position ?? position, t.active ?? true,
    ],
  );
}

async function upsertAgent(
  em: EntityManager,
  tenantId: string,
  departments: Map<string, string>,
  a: NonNullable<TenantConfig['agents']>[number],
  passwordHash: string | undefined,
) {
  const [row] = await query<{ id: string }>(
    em,
    `insert into agent (id, tenant_id, email, name, password_hash, is_admin, is_dpo, is_treasurer, active, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, now())
     on conflict (tenant_id, email) do update set name = excluded.name, is_admin = excluded.is_admin, is_dpo = excluded.is_dpo,
       is_treasurer = excluded.is_treasurer, active = excluded.active, password_hash = coalesce(excluded.password_hash, agent.password_hash)
     returning id`,
    [randomUUID(), tenantId, a.email.toLowerCase(), a.name, passwordHash ?? null, a.isAdmin ?? false, a.isDpo ?? false, a.isTreasurer ?? false, a.active ?? true],
  );
  // The file is the truth for the roles of the agents it lists.
  await query(em, 'delete from agent_role where agent_id = ?', [row.id]);
  for (const r of a.roles ?? []) {
    await query(em, 'insert into agent_role (id, agent_id, department_id, role) values (?, ?, ?, ?) on conflict do nothing', [
      randomUUID(), row.id, departments.get(r.department), r.role,
    ]);
  }
}

// Hashing is slow on purpose; an unchanged password keeps its hash so re-imports are cheap and idempotent.
async function hashPasswords(orm: MikroORM, config: TenantConfig): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const existing = await query<{ email: string; password_hash: string | null }>(
    orm.em.fork(),
    'select a.email, a.password_hash from agent a join tenant t on t.id = a.tenant_id where t.slug = ?',
    [config.slug],
  );
  const hashes = new Map(existing.map((r) => [r.email, r.password_hash]));
  for (const agent of config.agents ?? []) {
    if (!agent.password) continue;
    const email = agent.email.toLowerCase();
    const current = hashes.get(email);
    if (current && (await verify(current, agent.password))) continue;
    result.set(email, await hash(agent.password));
  }
  return result;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('fr-FR', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
