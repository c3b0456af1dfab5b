import os from 'node:os';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM, ormOptions } from '@/domain/orm';
import { query } from '@/domain/sql';
import { startTestDatabase } from '@/temporal/testing/services';

/**
 * The entities are the schema's source of truth: these tests fail as soon as an entity and the migrations disagree.
 * The first asks MikroORM's own comparator; the second builds a database from the entities alone and compares
 * PostgreSQL's catalogue of both, which also sees what the comparator only matches by name (expression and partial
 * indexes, NULLS NOT DISTINCT, generated columns).
 */

/** Database objects that are not tables: the French full-text configuration the request's `search` column needs. */
const NON_TABLE_PREREQUISITES = [
  'create extension if not exists unaccent',
  `create text search configuration french_unaccent (copy = french);
   alter text search configuration french_unaccent alter mapping for hword, hword_part, word with unaccent, french_stem`,
];

/**
 * What only the migrations make, because MikroORM's metadata has no way to say it. Keys are those of `catalogue()`.
 * Anything else that differs fails the test.
 */
const MIGRATIONS_ONLY: Record<string, string> = {
  // The append-only rule of the audit trail (Migration2026120411Audit): a trigger and its function.
  'function audit_log_append_only': 'triggers are not entity metadata',
  'trigger audit_log.audit_log_append_only': 'triggers are not entity metadata',
  'trigger audit_log.audit_log_no_truncate': 'triggers are not entity metadata',
  // Free room in each page for HOT status updates of the SMS store (Migration2026112907SmsFillfactor).
  'table option sms_message': 'storage parameters (fillfactor) are not entity metadata',
  'table option sms_segment': 'storage parameters (fillfactor) are not entity metadata',
  // The ORM creates a string enum as `text` with a check on text; the migration made varchar(20) with a check on it.
  // Both hold the same six values, and the comparator of the first test reads the migration's check as the same enum.
  'column sms_message.status': 'MikroORM creates string enums as text',
  'constraint sms_message.sms_message_status_check': 'MikroORM creates string enums as text',
};

/** Every column, index, constraint, trigger, function and storage option of the public schema, by a readable key. */
async function catalogue(em: EntityManager): Promise<Map<string, string>> {
  const rows = await query<{ key: string; definition: string }>(
    em,
    `select 'column ' || c.relname || '.' || a.attname as key,
            format_type(a.atttypid, a.atttypmod) || case when a.attnotnull then ' not null' else ' null' end
              || coalesce(case a.attgenerated when 's' then ' generated as ' else ' default ' end || pg_get_expr(d.adbin, d.adrelid), '') as definition
       from pg_attribute a join pg_class c on c.oid = a.attrelid
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
     union all
     select 'index ' || indexname, indexdef from pg_indexes where schemaname = 'public'
     union all
     select 'constraint ' || conrelid::regclass || '.' || conname, pg_get_constraintdef(oid) from pg_constraint where connamespace = 'public'::regnamespace
     union all
     select 'trigger ' || tgrelid::regclass || '.' || tgname, pg_get_triggerdef(oid) from pg_trigger where not tgisinternal
     union all
     select 'function ' || proname, pg_get_functiondef(oid) from pg_proc where pronamespace = 'public'::regnamespace
     union all
     select 'table option ' || relname, array_to_string(reloptions, ',') from pg_class where relnamespace = 'public'::regnamespace and reloptions is not null`,
  );
  // The migrator's own bookkeeping table is not part of the model.
  return new Map(rows.filter((r) => !r.key.includes('mikro_orm_migrations')).map((r) => [r.key, r.definition]));
}

/** Keys whose definitions differ, or that only one side has. */
function differences(migrated: Map<string, string>, fromEntities: Map<string, string>): Record<string, { migrations?: string; entities?: string }> {
  const out: Record<string, { migrations?: string; entities?: string }> = {};
  for (const key of new Set([...migrated.keys(), ...fromEntities.keys()])) {
    if (migrated.get(key) !== fromEntities.get(key)) out[key] = { migrations: migrated.get(key), entities: fromEntities.get(key) };
  }
  return out;
}

afterAll(() => closeAllORMs());

describe('entity schema', () => {
  it('has nothing to change in a migrated database', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    // Not safe mode: dropped tables, columns, indexes and foreign keys count as much as added ones.
    const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
    expect(diff.trim()).toBe('');
  });

  describe('built from the entities alone', () => {
    let database: { url: string; stop(): Promise<void> };
    let built: MikroORM;

    beforeAll(async () => {
      database = await startTestDatabase(os.tmpdir());
      built = await MikroORM.init(ormOptions(database.url));
      for (const sql of NON_TABLE_PREREQUISITES) await built.em.getConnection().execute(sql);
      await built.schema.createSchema();
    });

    afterAll(async () => {
      await built?.close(true);
      await database?.stop();
    });

    it('has the catalogue of the migrated database, but for what only migrations can say', async () => {
      const orm = await initORM(env().DATABASE_URL!);
      const diff = differences(await catalogue(orm.em.fork()), await catalogue(built.em.fork()));
      const unexpected = Object.fromEntries(Object.entries(diff).filter(([key]) => !(key in MIGRATIONS_ONLY)));
      expect(unexpected).toEqual({});
      // The list stays minimal: an entry the entities have come to express must leave it.
      expect(Object.keys(MIGRATIONS_ONLY).filter((key) => !diff[key]?.migrations)).toEqual([]);
    });
  });
});
