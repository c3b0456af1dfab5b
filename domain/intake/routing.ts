// Where a new request goes: its tenant, its topic, the department that handles it and the channel of the answer.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EscalationStep } from '@/domain/deadlines/escalation';
import type { ReplyChannel, TenantSettings } from '@/domain/entities';
import { query } from '@/domain/sql';
import { InputError, NotFoundError } from '@/domain/validation';
import type { NewRequestBody } from './schema';

export interface TenantRow {
  id: string;
  slug: string;
  settings: TenantSettings;
}

export interface TopicRow {
  id: string;
  kind: string;
  delay: string;
  business_days: boolean;
  validation_required: boolean;
  department_id: string;
}

export interface DepartmentRow {
  id: string;
  slug: string;
  escalation: EscalationStep[] | null;
}

/** Loads a tenant by slug or throws NotFoundError. */
export async function findTenant(em: EntityManager, slug: string): Promise<TenantRow> {
  const [tenant] = await query<TenantRow>(em, 'select id, slug, settings from tenant where slug = ?', [slug]);
  if (!tenant) throw new NotFoundError(`Unknown tenant ${slug}`);
  return tenant;
}

export async function findTopic(em: EntityManager, tenantId: string, slug: string): Promise<TopicRow> {
  const [topic] = await query<TopicRow>(
    em,
    'select id, kind, delay, business_days, validation_required, department_id from topic where tenant_id = ? and slug = ? and active', [tenantId, slug]);
  if (!topic) throw new InputError([{ path: '/topic', message: "Ce thème n'existe pas dans cette commune." }]);
  return topic;
}

export async function routeTo(em: EntityManager, tenant: TenantRow, topic: TopicRow): Promise<DepartmentRow> {
  if (tenant.settings.organisation === 'centralised' && tenant.settings.receptionDepartment) {
    const [reception] = await query<DepartmentRow>(em, 'select id, slug, escalation from department where tenant_id = ? and slug = ?', [
      tenant.id,
      tenant.settings.receptionDepartment,
    ]);
    if (reception) return reception;
  }
  const [department] = await query<DepartmentRow>(em, 'select id, slug, escalation from department where id = ? and tenant_id = ?', [topic.department_id, tenant.id]);
  return department;
}

export function chooseReplyChannel(input: NewRequestBody): ReplyChannel {
  const channel = input.channel ?? (input.contact.email ? 'email' : 'sms');
  const missing: Record<ReplyChannel, [keyof NewRequestBody['contact'], string]> = {
    email: ['email', 'Indiquez une adresse électronique pour recevoir la réponse par courriel.'],
    sms: ['phone', 'Indiquez un numéro de mobile pour recevoir la réponse par SMS.'],
    post: ['postalAddress', 'Indiquez une adresse postale pour recevoir la réponse par courrier.'],
  };
  const [field, message] = missing[channel];
  if (!input.contact[field]) throw new InputError([{ path: `/contact/${field}`, message }]);
  return channel;
}
