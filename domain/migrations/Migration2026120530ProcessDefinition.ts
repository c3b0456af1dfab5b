import { Migration } from '@mikro-orm/migrations';

/** Versioned process definitions: tenant_id null = shipped with the product; NULLS NOT DISTINCT keeps one row per shipped version. */
export class Migration2026120530ProcessDefinition extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "process_definition" (
      "id" uuid not null primary key,
      "tenant_id" uuid null references "tenant" ("id") on delete cascade,
      "slug" varchar(63) not null,
      "version" int not null,
      "definition" jsonb not null,
      "sha256" varchar(64) not null,
      "created_at" timestamptz not null default now(),
      "created_by" uuid null references "agent" ("id") on delete set null)`);
    this.addSql('alter table "process_definition" add constraint "process_definition_tenant_slug_version_unique" unique nulls not distinct ("tenant_id", "slug", "version")');
    this.addSql('create index "process_definition_created_by_index" on "process_definition" ("created_by")');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "process_definition"');
  }
}
