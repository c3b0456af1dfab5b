import { Migration } from '@mikro-orm/migrations';

/**
 * The hardened public API: fingerprints of recent public requests (to answer an honest duplicate with the existing
 * reference; kept for a day, not for the life of the request) and the portal form tokens already used (each token
 * files one request; rows live until the token would have expired anyway).
 */
export class Migration2026120410PublicApi extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table "request_fingerprint" ("tenant_id" uuid not null references "tenant" ("id") on delete cascade, ' +
        '"fingerprint" char(64) not null, "request_id" uuid not null references "request" ("id") on delete cascade, ' +
        '"created_at" timestamptz not null default now(), constraint "request_fingerprint_pkey" primary key ("tenant_id", "fingerprint", "created_at"))',
    );
    this.addSql('create index "request_fingerprint_created_idx" on "request_fingerprint" ("created_at")');
    this.addSql('create index "request_fingerprint_request_idx" on "request_fingerprint" ("request_id")');
    this.addSql('create table "form_token_use" ("token_hash" char(64) primary key, "expires_at" timestamptz not null)');
    this.addSql('create index "form_token_use_expires_idx" on "form_token_use" ("expires_at")');
  }

  override async down(): Promise<void> {
    this.addSql('drop table "form_token_use"');
    this.addSql('drop table "request_fingerprint"');
  }
}
