import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '@/domain/sql';

/** Audit entries are never purged younger than this, whatever a tenant configures (the trigger enforces it too). */
export const MIN_AUDIT_YEARS = 1;

/**
 * Deletes up to `limit` of the tenant's oldest audit entries older than `keepYears` (at least MIN_AUDIT_YEARS), in a
 * transaction of its own that sets `relais.audit_purge`: the only way past the append-only trigger of audit_log.
 * `onPurged` runs inside the same transaction (the retention job records its counts there). Returns how many went.
 */
export async function purgeExpiredAudit(
  em: EntityManager,
  tenantId: string,
  keepYears: number,
  limit: number,
  onPurged?: (tx: EntityManager, purged: number) => Promise<void>,
): Promise<number> {
  return em.transactional(async (tx) => {
    await query(tx, "set local relais.audit_purge = 'on'");
    const purged = await query(
      tx,
      `delete from audit_log where id in (
         select id from audit_log where tenant_id = ? and at < now() - make_interval(years => ?) order by at limit ?) returning id`,
      [tenantId, Math.max(MIN_AUDIT_YEARS, Math.floor(keepYears)), limit],
    );
    await onPurged?.(tx, purged.length);
    return purged.length;
  });
}
