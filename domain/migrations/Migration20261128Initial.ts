import { Migration } from '@mikro-orm/migrations';

/** The core model: tenants, departments, agents, topics, requests, their events, templates, notifications. */
export class Migration20261128Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table "tenant" ("id" uuid not null, "slug" varchar(63) not null, "name" varchar(200) not null, "hostnames" jsonb not null, "branding" jsonb not null, "settings" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "tenant_pkey" primary key ("id"))');
    this.addSql('alter table "tenant" add constraint "tenant_slug_unique" unique ("slug")');
    this.addSql('create table "message_template" ("id" uuid not null, "tenant_id" uuid not null, "key" varchar(63) not null, "channel" varchar(20) not null, "subject" varchar(300) null, "body" text not null, constraint "message_template_pkey" primary key ("id"))');
    this.addSql('alter table "message_template" add constraint "message_template_tenant_id_key_channel_unique" unique ("tenant_id", "key", "channel")');
    this.addSql('create table "department" ("id" uuid not null, "tenant_id" uuid not null, "slug" varchar(63) not null, "name" varchar(200) not null, "email" varchar(320) null, "escalation" jsonb null, "created_at" timestamptz not null, constraint "department_pkey" primary key ("id"))');
    this.addSql('alter table "department" add constraint "department_tenant_id_slug_unique" unique ("tenant_id", "slug")');
    this.addSql('create table "answer_template" ("id" uuid not null, "tenant_id" uuid not null, "department_id" uuid null, "slug" varchar(63) not null, "title" varchar(200) not null, "body" text not null, constraint "answer_template_pkey" primary key ("id"))');
    this.addSql('alter table "answer_template" add constraint "answer_template_tenant_id_slug_unique" unique ("tenant_id", "slug")');
    this.addSql('create table "agent" ("id" uuid not null, "tenant_id" uuid not null, "email" varchar(320) not null, "name" varchar(200) not null, "password_hash" text null, "is_admin" boolean not null default false, "active" boolean not null default true, "created_at" timestamptz not null, constraint "agent_pkey" primary key ("id"))');
    this.addSql('alter table "agent" add constraint "agent_tenant_id_email_unique" unique ("tenant_id", "email")');
    this.addSql('create table "agent_role" ("id" uuid not null, "agent_id" uuid not null, "department_id" uuid not null, "role" varchar(20) not null, constraint "agent_role_pkey" primary key ("id"))');
    this.addSql('create index "agent_role_department_id_index" on "agent_role" ("department_id")');
    this.addSql('alter table "agent_role" add constraint "agent_role_agent_id_department_id_role_unique" unique ("agent_id", "department_id", "role")');
    this.addSql(`create table "topic" ("id" uuid not null, "tenant_id" uuid not null, "slug" varchar(63) not null, "label" varchar(200) not null, "department_id" uuid not null, "kind" varchar(20) not null default 'question', "delay" varchar(40) not null, "business_days" boolean not null default false, "validation_required" boolean not null default false, "sms_keyword" varchar(30) null, "form" varchar(63) null, "position" int not null default 0, "active" boolean not null default true, constraint "topic_pkey" primary key ("id"))`);
    this.addSql('alter table "topic" add constraint "topic_tenant_id_slug_unique" unique ("tenant_id", "slug")');
    this.addSql(`create table "request" ("id" uuid not null, "tenant_id" uuid not null, "reference" varchar(40) not null, "tracking_code_hash" varchar(64) not null, "kind" varchar(20) not null default 'question', "channel" varchar(20) not null, "reply_channel" varchar(20) not null, "topic_id" uuid not null, "subject" varchar(300) not null, "body" text not null, "form_data" jsonb null, "form_version" int null, "citizen" jsonb not null, "state" varchar(30) not null default 'received', "department_id" uuid not null, "due_at" timestamptz not null, "received_at" timestamptz not null, "answered_at" timestamptz null, "closed_at" timestamptz null, "answer" text null, "workflow_id" varchar(200) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "request_pkey" primary key ("id"))`);
    this.addSql('alter table "request" add constraint "request_workflow_id_unique" unique ("workflow_id")');
    this.addSql('create index "request_inbox_state_idx" on "request" ("tenant_id", "state", "due_at")');
    this.addSql('create index "request_inbox_department_idx" on "request" ("tenant_id", "department_id", "state", "due_at")');
    this.addSql('create index "request_received_idx" on "request" ("tenant_id", "received_at", "id")');
    this.addSql('alter table "request" add constraint "request_tenant_id_reference_unique" unique ("tenant_id", "reference")');
    this.addSql('create table "request_event" ("id" uuid not null, "tenant_id" uuid not null, "request_id" uuid not null, "key" varchar(200) not null, "type" varchar(40) not null, "public" boolean not null default false, "actor" varchar(200) null, "state" varchar(30) null, "data" jsonb not null, "created_at" timestamptz not null, constraint "request_event_pkey" primary key ("id"))');
    this.addSql('alter table "request_event" add constraint "request_event_request_id_key_unique" unique ("request_id", "key")');
    this.addSql(`create table "notification" ("id" uuid not null, "tenant_id" uuid not null, "request_id" uuid null, "idempotency_key" varchar(300) not null, "channel" varchar(10) not null, "recipient" varchar(320) not null, "template" varchar(63) not null, "subject" varchar(300) null, "status" varchar(20) not null default 'pending', "provider_id" varchar(200) null, "segments" int null, "error" text null, "created_at" timestamptz not null, "sent_at" timestamptz null, constraint "notification_pkey" primary key ("id"))`);
    this.addSql('create index "notification_request_id_index" on "notification" ("request_id")');
    this.addSql('alter table "notification" add constraint "notification_idempotency_key_unique" unique ("idempotency_key")');
    this.addSql('alter table "message_template" add constraint "message_template_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade');
    this.addSql('alter table "department" add constraint "department_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade');
    this.addSql('alter table "answer_template" add constraint "answer_template_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade');
    this.addSql('alter table "answer_template" add constraint "answer_template_department_id_foreign" foreign key ("department_id") references "department" ("id") on update cascade on delete set null');
    this.addSql('alter table "agent" add constraint "agent_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade');
    this.addSql('alter table "agent_role" add constraint "agent_role_agent_id_foreign" foreign key ("agent_id") references "agent" ("id") on update cascade on delete cascade');
    this.addSql('alter table "agent_role" add constraint "agent_role_department_id_foreign" foreign key ("department_id") references "department" ("id") on update cascade on delete cascade');
    this.addSql('alter table "topic" add constraint "topic_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade');
    this.addSql('alter table "topic" add constraint "topic_department_id_foreign" foreign key ("department_id") references "department" ("id") on update cascade');
    this.addSql('alter table "request" add constraint "request_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade');
    this.addSql('alter table "request" add constraint "request_topic_id_foreign" foreign key ("topic_id") references "topic" ("id") on update cascade');
    this.addSql('alter table "request" add constraint "request_department_id_foreign" foreign key ("department_id") references "department" ("id") on update cascade');
    this.addSql('alter table "request_event" add constraint "request_event_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade');
    this.addSql('alter table "request_event" add constraint "request_event_request_id_foreign" foreign key ("request_id") references "request" ("id") on update cascade on delete cascade');
    this.addSql('alter table "notification" add constraint "notification_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade');
    this.addSql('alter table "notification" add constraint "notification_request_id_foreign" foreign key ("request_id") references "request" ("id") on update cascade on delete cascade');
    this.addSql('create table "reference_counter" ("tenant_id" uuid not null references "tenant" ("id") on delete cascade, "year" int not null, "value" int not null, constraint "reference_counter_pkey" primary key ("tenant_id", "year"))');
  }
}
