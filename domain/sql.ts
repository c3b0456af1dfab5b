import type { EntityManager } from '@mikro-orm/postgresql';

/** Runs a parameterised SQL query (`?` placeholders) and types its rows. */
export async function query<T>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await em.getConnection().execute(sql, params)) as T[];
}
