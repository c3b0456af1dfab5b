import { EntityRepositoryType, EntitySchema, LockMode, raw } from '@mikro-orm/core';
import { EntityRepository } from '@mikro-orm/postgresql';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';
import { NotFoundError } from '@/domain/validation';
import type { EscalationCascade } from '@/domain/deadlines/escalation';
import type { RequestLimits } from '@/domain/antispam/request-limits';
import type { RetentionPolicy } from '@/domain/privacy/retention-policy';
import type { RequestKind } from '@/domain/requests/kinds';
import { createdAt, updatedAt, uuidKey } from './columns';

/** Where requests land: everything to reception, or straight to the topic's department. */
export type OrganisationModel = 'centralised' | 'decentralised';

/** Per-tenant behaviour that municipalities configure. */
export interface TenantSettings {
  organisation: OrganisationModel;
  receptionDepartment?: string;
  validationRequired: boolean;
  stopClockWhileAwaitingCitizen: boolean;
  citizenNotifications: string[];
  closureDays: string[];
  timeZone: string;
  autoCloseAfter: string;
  smsNumber?: string;
  smsSenderId?: string;
  /** Topic of inbound SMS without a known keyword (default: the topic 'sms-maire'). */
  smsDefaultTopic?: string;
  /** Inbound e-mail; unset, the tenant still receives at <tenant>@ and <topic>.<tenant>@ the inbound domain. */
  mail?: TenantMailSettings;
  contact?: { address?: string; phone?: string; email?: string; hours?: string };
  /** Personal-data retention durations; defaults in domain/privacy/retention-policy.ts. */
  retention?: Partial<RetentionPolicy>;
  /** Origins of the municipality's own web sites that may embed the portal and call the public API from a browser. */
  allowedOrigins?: string[];
  /** Hourly limits of the public API; defaults in domain/antispam/request-limits.ts. */
  limits?: Partial<RequestLimits>;
  /** Texts of the portal's privacy page and accessibility statement; French defaults in domain/privacy/legal.ts. */
  legal?: LegalSettings;
  /** Online payment; unset, the tenant sells nothing online. */
  payment?: TenantPaymentSettings;
}

/** A tenant's payment provider account (PayFiP: the DGFiP's client number and environment). */
export interface TenantPaymentSettings {
  provider: 'payfip';
  numcli: string;
  environment: 'test' | 'activation' | 'production';
  /** Slugs of the products sold online; absent: every active product. */
  products?: string[];
  /** Minutes a citizen has to pay before the held stock goes back on sale (default 20). */
  expiryMinutes?: number;
  /** The régie de recettes that cashes the payments, as receipts name it (default « régie de recettes de <tenant> »). */
  regie?: string;
}

/** How a tenant receives e-mail. */
export interface TenantMailSettings {
  /** The municipality's own addresses delivered to Relais by forwarding or MX records (e.g. mairie@ville-demo.fr). */
  addresses?: string[];
  /** Topic of e-mail that names no topic and matches no keyword rule (default: the first active topic). */
  defaultTopic?: string;
  /** The first rule with a keyword in the subject, then in the text, routes the e-mail to its topic. */
  keywordRules?: Array<{ keywords: string[]; topic: string }>;
  /** Also acknowledge by SMS when a mobile number is known for the sender. */
  acknowledgeBySms?: boolean;
  /** Acknowledgements per sender per hour, beyond which requests are filed silently (default 5). */
  acknowledgementsPerHour?: number;
  /** A mailbox the municipality already has, polled over IMAP; the password is stored encrypted (RELAIS_ENCRYPTION_KEY). */
  imap?: { url: string; user: string; password?: string; mailbox?: string; importedFolder?: string; tlsInsecure?: boolean };
}

/** RGAA conformity status of the portal, as the accessibility statement declares it. */
export type AccessibilityStatus = 'non_conforme' | 'partiellement_conforme' | 'totalement_conforme';

/** What a tenant administrator may set on the privacy page and the accessibility statement. */
export interface LegalSettings {
  privacyText?: string;
  /** How to reach the data protection officer (RGPD art. 13): an e-mail or postal address. */
  dpoContact?: string;
  accessibilityStatus?: AccessibilityStatus;
  accessibilityText?: string;
  /** Date of the accessibility audit (YYYY-MM-DD). */
  auditDate?: string;
}

/** Colours, logo and texts of a municipality's portal. */
export interface TenantBranding {
  primaryColor: string;
  accentColor?: string;
  logoUrl?: string;
  welcomeText?: string;
  websiteUrl?: string;
}

/** A municipality (or other authority) served by the deployment. */
export class Tenant {
  [EntityRepositoryType]?: TenantRepository;
  id!: string;
  slug!: string;
  name!: string;
  hostnames: string[] = [];
  branding!: TenantBranding;
  settings!: TenantSettings;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

/** Tenants as URLs, commands and imports name them: by slug. `em.getRepository(Tenant)` gives it. */
export class TenantRepository extends EntityRepository<Tenant> {
  /** The tenant with this slug, or null. */
  findBySlug(slug: string): Promise<Tenant | null> {
    return this.findOne({ slug });
  }

  /** Every tenant of the deployment by name: the entry page lists them. */
  async directory(): Promise<Array<{ slug: string; name: string }>> {
    const tenants = await this.findAll({ fields: ['slug', 'name'], orderBy: { name: 'asc' } });
    return tenants.map((t) => ({ slug: t.slug, name: t.name }));
  }

  /** The tenant with this slug; NotFoundError when there is none. */
  async getBySlug(slug: string): Promise<Tenant> {
    const tenant = await this.findBySlug(slug);
    if (!tenant) throw new NotFoundError(`Unknown tenant ${slug}`);
    return tenant;
  }

  /**
   * A tenant's settings as stored now: re-read, since they change by single-key updates (saveSetting) that bypass the
   * identity map. `lock` holds the row until the transaction ends. Undefined for an unknown tenant.
   */
  async settingsOf(id: string, options: { lock?: boolean } = {}): Promise<TenantSettings | undefined> {
    const tenant = await this.findOne({ id }, { fields: ['settings'], refresh: true, ...(options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) });
    return tenant?.settings;
  }

  /** The tenant's time zone for dates shown to people (Europe/Paris unless set). */
  async timeZoneOf(id: string): Promise<string> {
    return (await this.settingsOf(id))?.timeZone ?? DEFAULT_TIME_ZONE;
  }

  /** Replaces one key of a tenant's settings in a single statement, so that concurrent saves of other keys are kept. */
  async saveSetting<K extends keyof TenantSettings>(id: string, key: K, value: TenantSettings[K]): Promise<void> {
    await this.nativeUpdate(
      { id },
      { settings: raw<Tenant, TenantSettings>('jsonb_set(settings, ?::text[], ?::jsonb)', [`{${key}}`, JSON.stringify(value)]), updatedAt: raw<Tenant, Date>('now()') },
    );
  }
}

/** A department (service) of a tenant that handles requests. */
export class Department {
  id!: string;
  tenant!: Tenant;
  slug!: string;
  name!: string;
  email?: string;
  escalation?: EscalationCascade;
  createdAt: Date = new Date();
}

export type { RequestKind };

/** A qualification chosen by the citizen; it decides the department and the delay. */
export class Topic {
  id!: string;
  tenant!: Tenant;
  slug!: string;
  label!: string;
  department!: Department;
  kind: RequestKind = 'question';
  delay!: string;
  businessDays = false;
  validationRequired = false;
  smsKeyword?: string;
  form?: string;
  /** The process a request of this topic follows when the topic has no form (a form names its own). */
  process?: string;
  position = 0;
  active = true;
}

export const TenantSchema = new EntitySchema<Tenant>({
  class: Tenant,
  tableName: 'tenant',
  repository: () => TenantRepository,
  properties: {
    id: uuidKey,
    slug: { type: 'string', length: 63, unique: true },
    name: { type: 'string', length: 200 },
    hostnames: { type: 'json' },
    branding: { type: 'json' },
    settings: { type: 'json' },
    createdAt,
    updatedAt,
  },
});

export const DepartmentSchema = new EntitySchema<Department>({
  class: Department,
  tableName: 'department',
  uniques: [{ properties: ['tenant', 'slug'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    slug: { type: 'string', length: 63 },
    name: { type: 'string', length: 200 },
    email: { type: 'string', length: 320, nullable: true },
    escalation: { type: 'json', nullable: true },
    createdAt,
  },
});

export const TopicSchema = new EntitySchema<Topic>({
  class: Topic,
  tableName: 'topic',
  uniques: [{ properties: ['tenant', 'slug'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    slug: { type: 'string', length: 63 },
    label: { type: 'string', length: 200 },
    department: { kind: 'm:1', entity: () => Department },
    kind: { type: 'string', length: 20, default: 'question' },
    delay: { type: 'string', length: 40 },
    businessDays: { type: 'boolean', default: false },
    validationRequired: { type: 'boolean', default: false },
    smsKeyword: { type: 'string', length: 30, nullable: true },
    form: { type: 'string', length: 63, nullable: true },
    process: { type: 'string', length: 63, nullable: true },
    position: { type: 'integer', default: 0 },
    active: { type: 'boolean', default: true },
  },
});
