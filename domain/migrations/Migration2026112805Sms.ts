import { Migration } from '@mikro-orm/migrations';

/** SMS state: one row per outgoing message, its accepted segments, every delivery receipt, inbound SMS and opt-outs. */
export class Migration2026112805Sms extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "sms_message" (
      "id" uuid not null, "tenant_id" uuid not null, "request_id" uuid null,
      "idempotency_key" varchar(300) not null, "template" varchar(63) null,
      "recipient" varchar(32) not null, "sender" varchar(20) not null, "text" text not null,
      "data_coding" smallint not null, "segment_count" int not null, "udh_reference" int null,
      "status" varchar(20) not null default 'queued', "smsc_message_ids" text[] not null default '{}',
      "error" text null, "attempts" int not null default 1, "lease_until" timestamptz null,
      "created_at" timestamptz not null default now(), "submitted_at" timestamptz null, "done_at" timestamptz null,
      constraint "sms_message_pkey" primary key ("id"),
      constraint "sms_message_status_check" check ("status" in ('queued', 'submitted', 'delivered', 'failed', 'expired', 'unknown')))`);
    this.addSql('alter table "sms_message" add constraint "sms_message_idempotency_key_unique" unique ("idempotency_key")');
    this.addSql('create index "sms_message_tenant_created_idx" on "sms_message" ("tenant_id", "created_at")');
    this.addSql('create index "sms_message_request_id_index" on "sms_message" ("request_id")');
    this.addSql('alter table "sms_message" add constraint "sms_message_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade');
    this.addSql('alter table "sms_message" add constraint "sms_message_request_id_foreign" foreign key ("request_id") references "request" ("id") on update cascade on delete cascade');

    // One row per segment the SMSC accepted, written as soon as its submit_sm_resp arrives: a retry never resends it.
    this.addSql(`create table "sms_segment" (
      "sms_message_id" uuid not null, "segment_index" int not null, "smsc_message_id" varchar(100) not null,
      "status" varchar(20) not null default 'submitted', "receipt" jsonb null,
      "accepted_at" timestamptz not null default now(), "done_at" timestamptz null,
      constraint "sms_segment_pkey" primary key ("sms_message_id", "segment_index"))`);
    this.addSql('create index "sms_segment_smsc_message_id_index" on "sms_segment" ("smsc_message_id")');
    this.addSql('alter table "sms_segment" add constraint "sms_segment_sms_message_id_foreign" foreign key ("sms_message_id") references "sms_message" ("id") on update cascade on delete cascade');

    // Every receipt as received: unknown formats and ids are kept, never dropped; unmatched ones have no sms_segment.
    this.addSql(`create table "sms_receipt" (
      "id" bigserial not null, "smsc_message_id" varchar(100) null, "status" varchar(20) not null, "final" boolean not null,
      "source" varchar(10) not null, "raw" jsonb not null,
      "received_at" timestamptz not null default now(), constraint "sms_receipt_pkey" primary key ("id"))`);
    this.addSql('create index "sms_receipt_smsc_message_id_index" on "sms_receipt" ("smsc_message_id")');

    // Mobile-originated SMS; dedupe_hash + received_at lets a redelivery by the SMSC be recognised.
    this.addSql(`create table "sms_inbound" (
      "id" uuid not null, "tenant_id" uuid null, "sender" varchar(32) not null, "recipient" varchar(32) not null,
      "text" text not null, "dedupe_hash" varchar(64) not null, "segment_count" int not null default 1,
      "outcome" varchar(30) not null default 'received', "request_id" uuid null, "detail" text null,
      "received_at" timestamptz not null default now(), "handled_at" timestamptz null,
      constraint "sms_inbound_pkey" primary key ("id"))`);
    this.addSql('create index "sms_inbound_dedupe_idx" on "sms_inbound" ("dedupe_hash", "received_at")');
    this.addSql('alter table "sms_inbound" add constraint "sms_inbound_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade');

    this.addSql(`create table "sms_opt_out" (
      "id" uuid not null, "tenant_id" uuid not null, "phone" varchar(32) not null, "created_at" timestamptz not null default now(),
      constraint "sms_opt_out_pkey" primary key ("id"))`);
    this.addSql('alter table "sms_opt_out" add constraint "sms_opt_out_tenant_id_phone_unique" unique ("tenant_id", "phone")');
    this.addSql('alter table "sms_opt_out" add constraint "sms_opt_out_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade');
  }

  override async down(): Promise<void> {
    for (const table of ['sms_opt_out', 'sms_inbound', 'sms_receipt', 'sms_segment', 'sms_message']) this.addSql(`drop table if exists "${table}"`);
  }
}
