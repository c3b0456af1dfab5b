import { Migration } from '@mikro-orm/migrations';

/**
 * Inbound e-mail: every message received by the SMTP listener or the IMAP poller (unique by its dedupe key, so a
 * redelivery or a poller restart files nothing twice), the IMAP position per tenant mailbox, and the delivery facts of
 * outgoing e-mail (our Message-ID for threading, the SMTP server's reply, the bounce).
 */
export class Migration2026120520InboundMail extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "inbound_email" (
      "id" uuid not null primary key,
      "tenant_id" uuid null references "tenant" ("id") on update cascade on delete cascade,
      "source" varchar(10) not null,
      "envelope_from" varchar(320) null,
      "envelope_to" text[] not null default '{}',
      "message_id" varchar(998) null,
      "from_address" varchar(320) null,
      "from_name" varchar(200) null,
      "subject" varchar(300) null,
      "body" text null,
      "dedupe_key" varchar(200) not null,
      "outcome" varchar(20) not null default 'received',
      "reason" text null,
      "request_id" uuid null references "request" ("id") on update cascade on delete set null,
      "linked_request_id" uuid null references "request" ("id") on update cascade on delete set null,
      "notification_id" uuid null,
      "auth" jsonb not null default '{}',
      "attachments" jsonb not null default '[]',
      "size" int not null default 0,
      "received_at" timestamptz not null default now(),
      "handled_at" timestamptz null,
      "reviewed_at" timestamptz null,
      "reviewed_by" uuid null,
      "review_decision" varchar(20) null)`);
    this.addSql('alter table "inbound_email" add constraint "inbound_email_dedupe_key_unique" unique ("dedupe_key")');
    this.addSql('create index "inbound_email_tenant_outcome_idx" on "inbound_email" ("tenant_id", "outcome", "received_at")');
    this.addSql('create index "inbound_email_sender_idx" on "inbound_email" ("tenant_id", "from_address", "received_at")');
    this.addSql('create index "inbound_email_request_id_index" on "inbound_email" ("request_id")');
    this.addSql(`create table "imap_mailbox_state" (
      "tenant_id" uuid not null references "tenant" ("id") on update cascade on delete cascade,
      "mailbox" varchar(200) not null,
      "uid_validity" bigint not null,
      "last_uid" bigint not null default 0,
      "updated_at" timestamptz not null default now(),
      primary key ("tenant_id", "mailbox"))`);
    this.addSql(`alter table "notification"
      add column "message_id" varchar(300) null,
      add column "smtp_response" text null,
      add column "bounced_at" timestamptz null,
      add column "bounce_status" varchar(20) null`);
    this.addSql('create index "notification_message_id_index" on "notification" ("message_id")');
  }

  override async down(): Promise<void> {
    this.addSql('drop index "notification_message_id_index"');
    this.addSql('alter table "notification" drop column "message_id", drop column "smtp_response", drop column "bounced_at", drop column "bounce_status"');
    this.addSql('drop table "imap_mailbox_state"');
    this.addSql('drop table "inbound_email"');
  }
}
