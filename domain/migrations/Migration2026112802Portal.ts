import { Migration } from '@mikro-orm/migrations';

/** Citizen portal: attachments stored in the database, consent time of a request, form drafts of the no-JavaScript form. */
export class Migration2026112802Portal extends Migration {
  override async up(): Promise<void> {
    // request_id stays null until the intake links the upload; content lives here so it never travels in workflow history.
    this.addSql(`create table "attachment" ("id" uuid not null, "tenant_id" uuid not null references "tenant" ("id") on update cascade on delete cascade,
      "request_id" uuid null references "request" ("id") on update cascade on delete cascade, "origin" varchar(20) not null default 'citizen',
      "name" varchar(255) not null, "type" varchar(100) not null, "size" int not null, "sha256" varchar(64) not null, "content" bytea not null,
      "created_at" timestamptz not null default now(), constraint "attachment_pkey" primary key ("id"))`);
    this.addSql('create index "attachment_request_idx" on "attachment" ("request_id")');
    this.addSql('create index "attachment_pending_idx" on "attachment" ("created_at") where "request_id" is null');
    this.addSql('alter table "request" add column "consent_at" timestamptz null');
    // What the citizen typed, kept for an hour so a form refused without JavaScript comes back filled in.
    this.addSql(`create table "form_draft" ("id" uuid not null, "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "data" jsonb not null, "created_at" timestamptz not null default now(), constraint "form_draft_pkey" primary key ("id"))`);
  }
}
