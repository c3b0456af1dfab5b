// Where a new request goes: its tenant, its topic, the department that handles it and the channel of the answer.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Department, Topic, type ReplyChannel, type Tenant } from '@/domain/entities';
import { InputError } from '@/domain/validation';
import type { NewRequestBody } from './schema';

/** A tenant's active topic by slug, or the field error the citizen sees. */
export async function findTopic(em: EntityManager, tenantId: string, slug: string): Promise<Topic> {
  const topic = await em.findOne(Topic, { tenant: tenantId, slug, active: true });
  if (!topic) throw new InputError([{ path: '/topic', message: "Ce thème n'existe pas dans cette commune." }]);
  return topic;
}

/** The reception when the tenant is centralised and has one, else the topic's department. */
export async function routeTo(em: EntityManager, tenant: Tenant, topic: Topic): Promise<Department> {
  if (tenant.settings.organisation === 'centralised' && tenant.settings.receptionDepartment) {
    const reception = await em.findOne(Department, { tenant, slug: tenant.settings.receptionDepartment });
    if (reception) return reception;
  }
  return em.findOneOrFail(Department, { id: topic.department.id, tenant });
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
