import { Migration } from '@mikro-orm/migrations';

/** The data protection officer (délégué à la protection des données): a tenant-wide role beside the administrator. */
export class Migration2026120414Rights extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "agent" add column "is_dpo" boolean not null default false');
  }

  override async down(): Promise<void> {
    this.addSql('alter table "agent" drop column "is_dpo"');
  }
}
