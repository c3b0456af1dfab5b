import { Migration } from '@mikro-orm/migrations';

/** French full-text search on requests (accents ignored) and the indexes behind the inbox's keyset pages. */
export class Migration2026112804Search extends Migration {
  override async up(): Promise<void> {
    this.addSql('create extension if not exists unaccent');
    // "Etat civil" must find "État civil": unaccent runs before the French stemmer.
    this.addSql(`do $$ begin
      if not exists (select 1 from pg_ts_config where cfgname = 'french_unaccent') then
        create text search configuration french_unaccent (copy = french);
        alter text search configuration french_unaccent alter mapping for hword, hword_part, word with unaccent, french_stem;
      end if;
    end $$`);
    this.addSql(`alter table "request" add column "search" tsvector generated always as (
      setweight(to_tsvector('french_unaccent'::regconfig, coalesce("subject", '')), 'A') ||
      setweight(to_tsvector('french_unaccent'::regconfig, left(coalesce("body", ''), 20000)), 'B')) stored`);
    this.addSql('create index "request_search_idx" on "request" using gin ("search")');
    // Keyset pages: newest first (default) and by due date, for the whole tenant, a state, or a department.
    this.addSql('create index "request_inbox_received_idx" on "request" ("tenant_id", "received_at" desc, "id" desc)');
    this.addSql('create index "request_inbox_state_received_idx" on "request" ("tenant_id", "state", "received_at" desc, "id" desc)');
    this.addSql('create index "request_inbox_department_received_idx" on "request" ("tenant_id", "department_id", "received_at" desc, "id" desc)');
    this.addSql('create index "request_inbox_due_idx" on "request" ("tenant_id", "due_at", "id")');
    this.addSql('drop index if exists "request_received_idx"');
  }
}
