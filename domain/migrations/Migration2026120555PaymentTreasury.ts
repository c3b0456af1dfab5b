import { Migration } from '@mikro-orm/migrations';

/** The régisseur (treasurer of the régie de recettes): a tenant-wide role that reads the payments and their reconciliation. */
export class Migration2026120555PaymentTreasury extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "agent" add column "is_treasurer" boolean not null default false');
  }

  override async down(): Promise<void> {
    this.addSql('alter table "agent" drop column "is_treasurer"');
  }
}
