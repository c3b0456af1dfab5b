import { Migration } from '@mikro-orm/migrations';

/** A topic without a form may name the process its requests follow; a request keeps the process version it started with. */
export class Migration2026120535RequestProcess extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "topic" add column "process" varchar(63) null');
    this.addSql('alter table "request" add column "process_slug" varchar(63) null, add column "process_version" int null');
  }

  override async down(): Promise<void> {
    this.addSql('alter table "request" drop column "process_slug", drop column "process_version"');
    this.addSql('alter table "topic" drop column "process"');
  }
}
