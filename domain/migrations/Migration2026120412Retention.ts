import { Migration } from '@mikro-orm/migrations';

/**
 * GDPR retention: when a request was anonymised (an anonymised request is never counted twice), and the index the
 * daily retention job scans for closed requests still holding personal data.
 */
export class Migration2026120412Retention extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "request" add column "anonymised_at" timestamptz null');
    this.addSql(`create index "request_retention_idx" on "request" ("tenant_id", "closed_at", "id") where "anonymised_at" is null and "state" in ('closed', 'rejected')`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "request_retention_idx"');
    this.addSql('alter table "request" drop column "anonymised_at"');
  }
}
