/** Property options shared by the entity schemas, so that every table spells a column kind the same way. */

/** A uuid primary key; ids are made by the application (randomUUID), never by the database. */
export const uuidKey = { type: 'uuid', primary: true } as const;

/** A `timestamptz` column; `now` gives it the database default `now()` that raw inserts rely on. */
export function timestamptz(options: { nullable?: boolean; now?: boolean } = {}) {
  return {
    type: 'Date',
    columnType: 'timestamptz',
    ...(options.nullable ? { nullable: true } : {}),
    ...(options.now ? { defaultRaw: 'now()' } : {}),
  } as const;
}

/** `created_at` of the first tables, filled in by the application (no database default). */
export const createdAt = { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() } as const;

/** `updated_at` of the first tables, kept by the application. */
export const updatedAt = { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date(), onUpdate: () => new Date() } as const;

/**
 * Foreign keys written as inline `references` in a migration carry PostgreSQL's default name (`<table>_<column>_fkey`)
 * and no `on update cascade`, unlike those the ORM names `<table>_<column>_foreign`.
 */
export function inlineForeignKey(table: string, column: string) {
  return { foreignKeyName: `${table}_${column}_fkey`, updateRule: 'no action' } as const;
}
