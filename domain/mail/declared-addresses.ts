import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '@/domain/sql';
import { InputError } from '@/domain/validation';

// Advisory lock namespace ('MAIL'): two tenants never declare the same address at once (import or administration).
const ADDRESS_LOCK = 0x4d41494c;

/**
 * An address routes e-mail to one tenant: one another tenant already declared is refused (French errors at
 * `${pointer}/<i>`), inside the caller's transaction and before it writes anything. The tenant itself is named by id,
 * or by slug when it may not exist yet (an import).
 */
export async function assertAddressesFree(em: EntityManager, tenant: { id: string } | { slug: string }, addresses: string[], pointer: string): Promise<void> {
  if (!addresses.length) return;
  await query(em, 'select pg_advisory_xact_lock(?)', [ADDRESS_LOCK]);
  const [column, value] = 'id' in tenant ? ['id', tenant.id] : ['slug', tenant.slug];
  // Raw SQL: a case-insensitive search inside a JSON array of every other tenant's settings.
  const taken = await query<{ slug: string; address: string }>(
    em,
    `select t.slug, lower(a.address) as address
       from tenant t cross join lateral jsonb_array_elements_text(coalesce(t.settings #> '{mail,addresses}', '[]'::jsonb)) as a(address)
      where t.${column} <> ? and lower(a.address) in (select jsonb_array_elements_text(?::jsonb))`,
    [value, JSON.stringify(addresses.map((a) => a.toLowerCase()))],
  );
  if (!taken.length) return;
  const owner = new Map(taken.map((row) => [row.address, row.slug]));
  throw new InputError(
    addresses.flatMap((address, i) => {
      const slug = owner.get(address.toLowerCase());
      return slug ? [{ path: `${pointer}/${i}`, message: `L'adresse « ${address} » est déjà déclarée par la commune « ${slug} » : une adresse ne peut mener qu'à une commune.` }] : [];
    }),
  );
}
