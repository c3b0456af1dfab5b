import { Migration } from '@mikro-orm/migrations';

/**
 * Subscription lists of a tenant (weather alerts, canteen menus…), offered on the portal unless internal; their
 * subscribers (one row per e-mail address or mobile number), subscriptions with the consent that confirmed them, and
 * the append-only consent trail.
 */
export class Migration2026120545Subscriptions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "subscription_list" (
      "id" uuid not null, "tenant_id" uuid not null, "slug" varchar(63) not null, "label" varchar(200) not null,
      "description" text not null default '', "channels" text[] not null, "is_public" boolean not null default true,
      "position" int not null default 0, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
      constraint "subscription_list_pkey" primary key ("id"))`);
    this.addSql('alter table "subscription_list" add constraint "subscription_list_tenant_id_slug_unique" unique ("tenant_id", "slug")');
    this.addSql(
      'alter table "subscription_list" add constraint "subscription_list_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade',
    );
    this.addSql(`create table "subscriber" (
      "id" uuid not null, "tenant_id" uuid not null, "channel" varchar(10) not null, "address" varchar(320) not null,
      "created_at" timestamptz not null default now(), constraint "subscriber_pkey" primary key ("id"))`);
    this.addSql('alter table "subscriber" add constraint "subscriber_tenant_id_channel_address_unique" unique ("tenant_id", "channel", "address")');
    this.addSql(`create table "subscription" (
      "id" uuid not null, "tenant_id" uuid not null, "subscriber_id" uuid not null, "list_id" uuid not null,
      "status" varchar(20) not null default 'pending', "confirmation_attempt" int not null default 0, "confirmation_expires_at" timestamptz null,
      "code_failures" int not null default 0, "consent_at" timestamptz null, "consent_method" varchar(30) null, "consent_proof" jsonb null,
      "unsubscribed_at" timestamptz null, "unsubscribed_via" varchar(30) null,
      "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
      constraint "subscription_pkey" primary key ("id"))`);
    this.addSql('create index "subscription_list_id_status_index" on "subscription" ("list_id", "status")');
    this.addSql('alter table "subscription" add constraint "subscription_subscriber_id_list_id_unique" unique ("subscriber_id", "list_id")');
    this.addSql(`create table "subscription_event" (
      "id" uuid not null, "tenant_id" uuid not null, "subscription_id" uuid not null, "kind" varchar(30) not null, "method" varchar(30) not null,
      "proof" jsonb not null default '{}', "created_at" timestamptz not null default now(), constraint "subscription_event_pkey" primary key ("id"))`);
    this.addSql('create index "subscription_event_subscription_id_index" on "subscription_event" ("subscription_id")');
    for (const [table, column, target] of [
      ['subscriber', 'tenant_id', 'tenant'],
      ['subscription', 'tenant_id', 'tenant'],
      ['subscription', 'subscriber_id', 'subscriber'],
      ['subscription', 'list_id', 'subscription_list'],
      ['subscription_event', 'tenant_id', 'tenant'],
      ['subscription_event', 'subscription_id', 'subscription'],
    ]) {
      this.addSql(
        `alter table "${table}" add constraint "${table}_${column}_foreign" foreign key ("${column}") references "${target}" ("id") on update cascade on delete cascade`,
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "subscription_event"');
    this.addSql('drop table if exists "subscription"');
    this.addSql('drop table if exists "subscriber"');
    this.addSql('drop table if exists "subscription_list"');
  }
}
