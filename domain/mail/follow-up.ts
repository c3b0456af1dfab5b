import type { EntityManager } from '@mikro-orm/postgresql';
import { InboundEmail } from '@/domain/entities';

/** The reference of the closed request an e-mail request follows (a reply to it opened this one), if any. */
export async function followedReference(em: EntityManager, requestId: string): Promise<string | undefined> {
  const inbound = await em.findOne(InboundEmail, { request: requestId, linkedRequest: { $ne: null } }, { populate: ['linkedRequest'], fields: ['id', 'linkedRequest.reference'] });
  return inbound?.linkedRequest?.reference;
}
