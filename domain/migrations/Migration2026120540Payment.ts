import { Migration } from '@mikro-orm/migrations';

/**
 * Online payment: the products a tenant sells (price, stock, per-citizen limit, sales dates), the stock held for a
 * purchase while it is paid, and the payments themselves. `product.reserved` is the counter that the stock
 * reservation updates under the product's row lock; its check keeps it within the stock whatever the code does.
 */
export class Migration2026120540Payment extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "product" ("id" uuid not null, "tenant_id" uuid not null, "slug" varchar(63) not null, "label" varchar(200) not null, "description" text null, "pricing" jsonb not null, "stock" int null, "reserved" int not null default 0, "max_per_citizen" int null, "sales_start" timestamptz null, "sales_end" timestamptz null, "active" boolean not null default true, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "product_pkey" primary key ("id"), constraint product_reserved_within_stock check (reserved >= 0 and (stock is null or reserved <= stock)), constraint product_limits_positive check ((stock is null or stock >= 0) and (max_per_citizen is null or max_per_citizen > 0)))`);
    this.addSql(`alter table "product" add constraint "product_tenant_slug_unique" unique ("tenant_id", "slug")`);
    this.addSql(`create table "stock_reservation" ("id" uuid not null, "tenant_id" uuid not null, "product_id" uuid not null, "idempotency_key" varchar(200) not null, "quantity" int not null, "state" varchar(20) not null, "holder" varchar(320) null, "expires_at" timestamptz not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "stock_reservation_pkey" primary key ("id"), constraint stock_reservation_quantity_positive check (quantity > 0))`);
    this.addSql(`create index "stock_reservation_tenant_id_index" on "stock_reservation" ("tenant_id")`);
    this.addSql(`create index "stock_reservation_product_holder_idx" on "stock_reservation" ("product_id", "holder")`);
    this.addSql(`create index "stock_reservation_held_expiry_idx" on "stock_reservation" ("product_id", "expires_at") where state = 'held'`);
    this.addSql(`alter table "stock_reservation" add constraint "stock_reservation_idempotency_key_unique" unique ("idempotency_key")`);
    this.addSql(`create table "payment" ("id" uuid not null, "tenant_id" uuid not null, "provider" varchar(20) not null, "provider_id" varchar(64) null, "payment_url" varchar(500) null, "reference" varchar(30) not null, "idempotency_key" varchar(200) not null, "amount" int not null, "currency" varchar(3) not null default 'EUR', "product_id" uuid null, "quantity" int not null default 1, "reservation_id" uuid null, "request_id" uuid null, "state" varchar(20) not null, "provider_code" varchar(8) null, "authorisation" varchar(32) null, "transaction_date" varchar(8) null, "transaction_time" varchar(4) null, "paid_at" timestamptz null, "expires_at" timestamptz not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "payment_pkey" primary key ("id"), constraint payment_amount_positive check (amount > 0 and quantity > 0))`);
    this.addSql(`create index "payment_product_id_index" on "payment" ("product_id")`);
    this.addSql(`create index "payment_reservation_id_index" on "payment" ("reservation_id")`);
    this.addSql(`create index "payment_request_id_index" on "payment" ("request_id")`);
    this.addSql(`create index "payment_tenant_created_idx" on "payment" ("tenant_id", "created_at")`);
    this.addSql(`alter table "payment" add constraint "payment_idempotency_key_unique" unique ("idempotency_key")`);
    this.addSql(`alter table "payment" add constraint "payment_tenant_reference_unique" unique ("tenant_id", "reference")`);
    this.addSql(`alter table "payment" add constraint "payment_provider_id_unique" unique ("provider", "provider_id")`);
    this.addSql(`alter table "product" add constraint "product_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade`);
    this.addSql(`alter table "stock_reservation" add constraint "stock_reservation_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade`);
    this.addSql(`alter table "stock_reservation" add constraint "stock_reservation_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade on delete cascade`);
    this.addSql(`alter table "payment" add constraint "payment_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade`);
    this.addSql(`alter table "payment" add constraint "payment_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade on delete set null`);
    this.addSql(`alter table "payment" add constraint "payment_reservation_id_foreign" foreign key ("reservation_id") references "stock_reservation" ("id") on update cascade on delete set null`);
    this.addSql(`alter table "payment" add constraint "payment_request_id_foreign" foreign key ("request_id") references "request" ("id") on update cascade on delete set null`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "payment"');
    this.addSql('drop table if exists "stock_reservation"');
    this.addSql('drop table if exists "product"');
  }
}
