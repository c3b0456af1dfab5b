import type { EntityManager } from '@mikro-orm/postgresql';
import { LIST_SLUG, SubscriptionList } from '@/domain/entities';
import { query } from '@/domain/sql';
import { upsertLists } from '@/domain/subscriptions/lists';
import { InputError, compileValidator } from '@/domain/validation';
import { auditAdminChange, type AdminContext } from './context';
import { label } from './fields';

const validateList = compileValidator<{ slug: string; label: string; description?: string; sms?: boolean; email?: boolean; public?: boolean }>({
  type: 'object',
  additionalProperties: false,
  required: ['slug'],
  properties: {
    // Short: it is also the SMS keyword (ABO <SLUG>).
    slug: { type: 'string', pattern: LIST_SLUG.source, errorMessage: 'Identifiant : minuscules, chiffres et tirets (32 caractères au plus) ; c’est aussi le mot-clé SMS.' },
    label: label(200, 'Saisissez le nom de la liste.'),
    description: { type: 'string', maxLength: 2000, errorMessage: 'Description : 2 000 caractères au plus.' },
    sms: { type: 'boolean' },
    email: { type: 'boolean' },
    public: { type: 'boolean' },
  },
});

/** Creates or updates a subscription list: name, description, channels, offered on the portal or internal. */
export async function saveSubscriptionList(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = validateList(body);
  const channels = [...(input.email ? (['email'] as const) : []), ...(input.sms ? (['sms'] as const) : [])];
  if (channels.length === 0) throw new InputError([{ path: '/sms', message: 'Choisissez au moins un canal : SMS ou courriel.' }]);
  await em.transactional(async (tx) => {
    const [before] = await query<Record<string, unknown>>(tx, 'select label, description, channels, is_public from subscription_list where tenant_id = ? and slug = ?', [ctx.tenantId, input.slug]);
    const [{ next }] = await query<{ next: number }>(tx, 'select coalesce(max(position), -1) + 1 as next from subscription_list where tenant_id = ?', [ctx.tenantId]);
    const [{ position } = { position: next }] = await query<{ position: number }>(tx, 'select position from subscription_list where tenant_id = ? and slug = ?', [ctx.tenantId, input.slug]);
    const after = { slug: input.slug, label: input.label.trim(), description: (input.description ?? '').trim(), channels, public: input.public ?? true, position };
    await upsertLists(tx, ctx.tenantId, [after]);
    await auditAdminChange(tx, ctx, before ? 'admin.list.update' : 'admin.list.create', input.slug, before, after);
  });
}

/** The tenant's lists with their active subscribers per channel, for the administration screen. */
export async function listOverview(em: EntityManager, tenantId: string) {
  const lists = await em.getRepository(SubscriptionList).ofTenant(tenantId, { includeInternal: true });
  const counts = await query<{ list_id: string; channel: string; n: number }>(
    em,
    `select s.list_id, p.channel, count(*)::int as n from subscription s join subscriber p on p.id = s.subscriber_id
      where s.tenant_id = ? and s.status = 'active' group by s.list_id, p.channel`,
    [tenantId],
  );
  const count = (listId: string, channel: string) => counts.find((c) => c.list_id === listId && c.channel === channel)?.n ?? 0;
  return lists.map((list) => ({
    slug: list.slug,
    label: list.label,
    description: list.description,
    sms: list.channels.includes('sms'),
    email: list.channels.includes('email'),
    public: list.isPublic,
    subscribers: { sms: count(list.id, 'sms'), email: count(list.id, 'email') },
  }));
}
