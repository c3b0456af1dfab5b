import { Migration } from '@mikro-orm/migrations';

/** Agent authentication and accountability: sessions, login attempts, reset tokens, OIDC settings and the audit log. */
export class Migration2026112803Auth extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "agent_session" (
      "id" uuid not null primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "agent_id" uuid not null references "agent" ("id") on delete cascade,
      "token_hash" varchar(64) not null unique,
      "via" varchar(20) not null default 'password',
      "created_at" timestamptz not null default now(),
      "last_seen_at" timestamptz not null default now(),
      "expires_at" timestamptz not null,
      "user_agent" varchar(300) null)`);
    this.addSql('create index "agent_session_agent_idx" on "agent_session" ("agent_id")');
    this.addSql(`create table "login_attempt" (
      "id" uuid not null primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "email" varchar(320) not null,
      "succeeded" boolean not null,
      "ip" varchar(64) null,
      "at" timestamptz not null default now())`);
    this.addSql('create index "login_attempt_lookup_idx" on "login_attempt" ("tenant_id", "email", "at")');
    this.addSql(`create table "password_reset" (
      "id" uuid not null primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "agent_id" uuid not null references "agent" ("id") on delete cascade,
      "token_hash" varchar(64) not null unique,
      "created_at" timestamptz not null default now(),
      "expires_at" timestamptz not null,
      "used_at" timestamptz null)`);
    this.addSql(`create table "tenant_oidc" (
      "tenant_id" uuid not null primary key references "tenant" ("id") on delete cascade,
      "enabled" boolean not null default false,
      "issuer" varchar(500) not null,
      "client_id" varchar(300) not null,
      "client_secret" text null,
      "scopes" varchar(300) not null default 'openid email given_name usual_name',
      "label" varchar(100) not null default 'Se connecter avec ProConnect',
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create table "oidc_login" (
      "state_hash" varchar(64) not null primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "nonce" varchar(100) not null,
      "code_verifier" varchar(200) not null,
      "return_to" varchar(500) null,
      "created_at" timestamptz not null default now())`);
    this.addSql(`create table "audit_log" (
      "id" uuid not null primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "agent_id" uuid null references "agent" ("id") on delete set null,
      "action" varchar(80) not null,
      "target" varchar(300) null,
      "outcome" varchar(20) not null default 'ok',
      "data" jsonb not null default '{}',
      "at" timestamptz not null default now())`);
    this.addSql('create index "audit_log_tenant_at_idx" on "audit_log" ("tenant_id", "at" desc)');
    this.addSql('create index "audit_log_target_idx" on "audit_log" ("tenant_id", "target")');
  }
}
