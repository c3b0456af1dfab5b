import { Migration } from '@mikro-orm/migrations';

/** Versioned form definitions, rendered documents (PDF), per-tenant document templates and export attempts. */
export class Migration2026112806Forms extends Migration {
  override async up(): Promise<void> {
    // tenant_id null = shipped with the product, visible to every tenant; NULLS NOT DISTINCT keeps one row per global version.
    this.addSql(`create table "form_definition" ("id" uuid not null, "tenant_id" uuid null references "tenant" ("id") on delete cascade, "slug" varchar(63) not null, "version" int not null, "definition" jsonb not null, "sha256" varchar(64) not null, "created_at" timestamptz not null default now(), constraint "form_definition_pkey" primary key ("id"))`);
    this.addSql('alter table "form_definition" add constraint "form_definition_tenant_slug_version_unique" unique nulls not distinct ("tenant_id", "slug", "version")');
    this.addSql(`create table "document" ("id" uuid not null, "tenant_id" uuid not null references "tenant" ("id") on delete cascade, "request_id" uuid null references "request" ("id") on delete cascade, "kind" varchar(30) not null, "template" varchar(63) not null, "idempotency_key" varchar(300) not null, "file_name" varchar(200) not null, "content" bytea not null, "size" int not null, "sha256" varchar(64) not null, "public" boolean not null default false, "created_at" timestamptz not null default now(), constraint "document_pkey" primary key ("id"))`);
    this.addSql('alter table "document" add constraint "document_idempotency_key_unique" unique ("idempotency_key")');
    this.addSql('create index "document_request_id_index" on "document" ("request_id")');
    this.addSql(`create table "document_template" ("id" uuid not null, "tenant_id" uuid not null references "tenant" ("id") on delete cascade, "name" varchar(63) not null, "content" text not null, "helpers" text null, "updated_at" timestamptz not null default now(), constraint "document_template_pkey" primary key ("id"))`);
    this.addSql('alter table "document_template" add constraint "document_template_tenant_name_unique" unique ("tenant_id", "name")');
    this.addSql(`create table "export_attempt" ("id" uuid not null, "tenant_id" uuid not null references "tenant" ("id") on delete cascade, "request_id" uuid not null references "request" ("id") on delete cascade, "connector" varchar(20) not null, "target" varchar(500) not null, "attempt" int not null, "status" varchar(20) not null, "http_status" int null, "error" text null, "duration_ms" int null, "at" timestamptz not null default now(), constraint "export_attempt_pkey" primary key ("id"))`);
    this.addSql('create index "export_attempt_request_id_index" on "export_attempt" ("request_id", "at")');
  }
}
