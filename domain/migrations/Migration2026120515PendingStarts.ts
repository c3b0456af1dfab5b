import { Migration } from '@mikro-orm/migrations';

/**
 * Request workflows start after the intake commits: each request is stored with its workflow input here, and the row
 * goes once Temporal has the workflow. A row still here after a failed start is picked up by the worker's recovery.
 */
export class Migration2026120515PendingStarts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "request_workflow_start" (
      "request_id" uuid not null primary key references "request" ("id") on update cascade on delete cascade,
      "tenant_id" uuid not null,
      "input" jsonb not null,
      "attempts" int not null default 0,
      "last_error" text null,
      "created_at" timestamptz not null default now())`);
    this.addSql('create index "request_workflow_start_created_at_index" on "request_workflow_start" ("created_at")');
  }

  override async down(): Promise<void> {
    this.addSql('drop table "request_workflow_start"');
  }
}
