import { Migration } from '@mikro-orm/migrations';

/**
 * The two foreign keys checked once per SMS row: `sms_message → tenant` on every claim, `sms_segment → sms_message` on
 * every submission. Each check is a per-row lookup that locks the parent row; measured with pg_stat_statements in
 * bench/sms they were about 17 µs and 16 µs of PostgreSQL time per SMS, a quarter of all the database work of an SMS.
 * Both links stay true by construction: a claim writes the tenant id its activity read from the tenant's row, and a
 * segment is written only for the message its claim has just committed. What is given up is the cascade: tenants and
 * SMS are never deleted today, and a tenant purge would have to delete its SMS rows itself.
 */
export class Migration2026112908SmsForeignKeys extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "sms_message" drop constraint "sms_message_tenant_id_foreign"');
    this.addSql('alter table "sms_segment" drop constraint "sms_segment_sms_message_id_foreign"');
  }

  override async down(): Promise<void> {
    this.addSql('alter table "sms_message" add constraint "sms_message_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade');
    this.addSql('alter table "sms_segment" add constraint "sms_segment_sms_message_id_foreign" foreign key ("sms_message_id") references "sms_message" ("id") on update cascade on delete cascade');
  }
}
