import { Migration } from '@mikro-orm/migrations';

/**
 * The portal's submission counts, shared by every web process of a deployment (rate-limiter-flexible's PostgreSQL
 * store, in the layout it expects: one row per prefixed key, `expire` in epoch milliseconds). Expired rows are
 * deleted by the limiter itself every few minutes.
 */
export class Migration2026112909PortalRateLimit extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table "portal_rate_limit" ("key" varchar(255) primary key, "points" integer not null default 0, "expire" bigint)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table "portal_rate_limit"');
  }
}
