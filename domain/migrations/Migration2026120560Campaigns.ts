import { Migration } from '@mikro-orm/migrations';

/**
 * Broadcast campaigns: the pre-formatted messages of each list, campaigns with their approval and state, the recipient
 * snapshot (one row per subscription and campaign: a message goes once), and the token bucket that holds one SMS rate
 * per operator account across every worker.
 */
export class Migration2026120560Campaigns extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "sms_rate_bucket" ("account" varchar(200) not null, "tokens" double precision not null,
      "refilled_at" timestamptz not null default now(), "emergency_until" timestamptz null, constraint "sms_rate_bucket_pkey" primary key ("account"))`);
    this.addSql(`create table "campaign_template" ("id" uuid not null, "tenant_id" uuid not null, "list_id" uuid not null, "name" varchar(200) not null,
      "subject" varchar(200) not null default '', "body" text not null, "created_at" timestamptz not null default now(),
      constraint "campaign_template_pkey" primary key ("id"))`);
    this.addSql('alter table "campaign_template" add constraint "campaign_template_list_id_name_unique" unique ("list_id", "name")');
    this.addSql(`create table "campaign" ("id" uuid not null, "tenant_id" uuid not null, "list_id" uuid not null, "template_id" uuid null,
      "title" varchar(200) not null, "subject" varchar(200) not null default '', "body" text not null, "channels" text[] not null,
      "state" varchar(20) not null default 'draft', "emergency" boolean not null default false, "created_by_id" uuid not null, "approved_by_id" uuid null,
      "submitted_at" timestamptz null, "approved_at" timestamptz null, "scheduled_at" timestamptz null, "started_at" timestamptz null,
      "finished_at" timestamptz null, "recipient_count" int not null default 0, "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(), constraint "campaign_pkey" primary key ("id"))`);
    this.addSql('create index "campaign_tenant_id_created_at_index" on "campaign" ("tenant_id", "created_at")');
    this.addSql(`create table "campaign_recipient" ("campaign_id" uuid not null, "position" int not null, "subscription_id" uuid not null,
      "channel" varchar(10) not null, "address" varchar(320) not null, "status" varchar(20) not null default 'queued', "sent_at" timestamptz null,
      "error" text null, constraint "campaign_recipient_pkey" primary key ("campaign_id", "position"))`);
    this.addSql('create index "campaign_recipient_campaign_id_status_index" on "campaign_recipient" ("campaign_id", "status")');
    this.addSql('alter table "campaign_recipient" add constraint "campaign_recipient_campaign_id_subscription_id_unique" unique ("campaign_id", "subscription_id")');
    for (const [table, column, target, onDelete] of [
      ['campaign_template', 'tenant_id', 'tenant', ' on delete cascade'],
      ['campaign_template', 'list_id', 'subscription_list', ' on delete cascade'],
      ['campaign', 'tenant_id', 'tenant', ' on delete cascade'],
      ['campaign', 'list_id', 'subscription_list', ' on delete cascade'],
      ['campaign', 'template_id', 'campaign_template', ' on delete set null'],
      ['campaign', 'created_by_id', 'agent', ''],
      ['campaign', 'approved_by_id', 'agent', ' on delete set null'],
      ['campaign_recipient', 'campaign_id', 'campaign', ' on delete cascade'],
    ]) {
      this.addSql(
        `alter table "${table}" add constraint "${table}_${column}_foreign" foreign key ("${column}") references "${target}" ("id") on update cascade${onDelete}`,
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "campaign_recipient"');
    this.addSql('drop table if exists "campaign"');
    this.addSql('drop table if exists "campaign_template"');
    this.addSql('drop table if exists "sms_rate_bucket"');
  }
}
