import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs a parameterised SQL query (`?` placeholders) and types its rows, inside the EntityManager's
 * transaction when it has one: `getConnection().execute` alone would take another pooled connection,
 * escaping the rollback and, under load, starving the pool while the transaction holds its own.
 */
export async function query<T>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await em.getConnection().execute(sql, params, 'all', em.getTransactionContext())) as T[];
}

/** A PostgreSQL array literal (`{"a","b",NULL}`): Knex spreads a JS array into a list of values, so arrays travel so. */
export function pgArray(values: ReadonlyArray<string | null>): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}
