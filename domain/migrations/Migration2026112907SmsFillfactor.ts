import { Migration } from '@mikro-orm/migrations';

/**
 * Free room in every page of the SMS tables, so that their status updates are HOT (heap-only): no index changes, as no
 * indexed column moves. A message is rewritten twice (submitted, then its receipt), a segment once.
 */
export class Migration2026112907SmsFillfactor extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "sms_message" set (fillfactor = 50)');
    this.addSql('alter table "sms_segment" set (fillfactor = 70)');
  }

  override async down(): Promise<void> {
    this.addSql('alter table "sms_message" reset (fillfactor)');
    this.addSql('alter table "sms_segment" reset (fillfactor)');
  }
}
