import { Migration } from '@mikro-orm/migrations';

/** Subscription lists of a tenant (weather alerts, canteen menus…), offered on the portal unless internal. */
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
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "subscription_list"');
  }
}
