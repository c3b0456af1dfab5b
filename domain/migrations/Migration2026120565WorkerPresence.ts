import { Migration } from '@mikro-orm/migrations';

/** Live worker processes, counted by the health check (Temporal's poller list keeps a dead worker for minutes). */
export class Migration2026120565WorkerPresence extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table "worker_presence" ("id" uuid not null, "task_queue" varchar(200) not null, "host" varchar(255) not null, "pid" int not null, "started_at" timestamptz not null default now(), "seen_at" timestamptz not null default now(), constraint "worker_presence_pkey" primary key ("id"))',
    );
    this.addSql('create index "worker_presence_task_queue_seen_at_idx" on "worker_presence" ("task_queue", "seen_at")');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "worker_presence"');
  }
}
