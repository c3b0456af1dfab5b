import { Migration } from '@mikro-orm/migrations';

/**
 * The inbound spool: the SMTP listener stores each message's bytes and envelope here and answers 250 at once; the
 * worker's spool drainers file them afterwards, so a burst of mail is accepted at disk speed and survives a crash.
 * `queued_at` on inbound_email keeps the time the listener took the message (its arrival), apart from the time the
 * intake claimed it.
 */
export class Migration2026120525InboundSpool extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "inbound_spool" (
      "id" uuid not null primary key,
      "raw" bytea not null,
      "envelope" jsonb not null,
      "queued_at" timestamptz not null default now(),
      "attempts" int not null default 0,
      "next_attempt_at" timestamptz not null default now(),
      "claimed_until" timestamptz null,
      "last_error" text null)`);
    this.addSql('create index "inbound_spool_next_attempt_idx" on "inbound_spool" ("next_attempt_at")');
    this.addSql('alter table "inbound_email" add column "queued_at" timestamptz null');
  }

  override async down(): Promise<void> {
    this.addSql('alter table "inbound_email" drop column "queued_at"');
    this.addSql('drop table "inbound_spool"');
  }
}
