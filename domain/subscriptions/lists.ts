import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SubscriptionList, Tenant, type SubscriptionChannel } from '@/domain/entities';
import { query } from '@/domain/sql';

/** A list as a tenant file declares it. */
export interface ListConfig {
  slug: string;
  label: string;
  description?: string;
  channels: SubscriptionChannel[];
  /** Offered on the portal and the public API (default true). */
  public?: boolean;
  position?: number;
  /** Pre-formatted campaign messages of the list, by name. */
  templates?: Array<{ name: string; subject?: string; body: string }>;
}

/** A list as the public API shows it. */
export interface PublicList {
  slug: string;
  label: string;
  description: string;
  channels: SubscriptionChannel[];
}

/** Channels in a fixed order, whatever order they were declared in. */
export function orderedChannels(channels: readonly string[]): SubscriptionChannel[] {
  return (['email', 'sms'] as const).filter((channel) => channels.includes(channel));
}

/** The public lists of a tenant in display order; NotFoundError for an unknown tenant. */
export async function listPublicLists(em: EntityManager, tenantSlug: string): Promise<PublicList[]> {
  const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);
  const lists = await em.getRepository(SubscriptionList).ofTenant(tenant.id);
  return lists.map((list) => ({ slug: list.slug, label: list.label, description: list.description, channels: orderedChannels(list.channels) }));
}

/** Upserts the lists of a tenant file by slug, and their templates by name; lists the file does not name are kept (they may have subscribers). */
export async function upsertLists(em: EntityManager, tenantId: string, lists: ListConfig[]): Promise<void> {
  for (const [position, list] of lists.entries()) {
    const [{ id: listId }] = await query<{ id: string }>(
      em,
      `insert into subscription_list (id, tenant_id, slug, label, description, channels, is_public, position)
       values (?, ?, ?, ?, ?, ?::text[], ?, ?)
       on conflict (tenant_id, slug) do update set label = excluded.label, description = excluded.description,
         channels = excluded.channels, is_public = excluded.is_public, position = excluded.position, updated_at = now()
       returning id`,
      [randomUUID(), tenantId, list.slug, list.label, list.description ?? '', channelsLiteral(list.channels), list.public ?? true, list.position ?? position],
    );
    for (const template of list.templates ?? []) {
      await query(
        em,
        `insert into campaign_template (id, tenant_id, list_id, name, subject, body) values (?, ?, ?, ?, ?, ?)
         on conflict (list_id, name) do update set subject = excluded.subject, body = excluded.body`,
        [randomUUID(), tenantId, listId, template.name, template.subject ?? '', template.body],
      );
    }
  }
}

// Knex spreads an array parameter into a list of values: channels travel as an array literal (only known names).
function channelsLiteral(channels: readonly string[]): string {
  return `{${orderedChannels(channels).join(',')}}`;
}
