import { EntitySchema, type Opt } from '@mikro-orm/core';
import { timestamptz, uuidKey } from './columns';
import { CitizenRequest } from './request';
import { Tenant } from './tenant';

/** How a product's price is worked out: one amount, a price per unit, or a price per unit by tariff bracket. */
export type ProductPricing =
  | { kind: 'fixed'; amount: number }
  | { kind: 'per_unit'; unitPrice: number }
  | {
      kind: 'bracket';
      /** The form field holding the value the brackets split on (for example the quotient familial). */
      field: string;
      /** Ordered by `upTo`; the last one has no `upTo` and takes everything above. */
      brackets: Array<{ upTo?: number; unitPrice: number; label?: string }>;
    };

/** Something a municipality sells online: a seat, a ticket, a deposit. Amounts in cents. */
export class Product {
  id!: string;
  tenant!: Tenant;
  slug!: string;
  label!: string;
  description?: string;
  pricing!: ProductPricing;
  /** Units for sale in all; absent: no limit. */
  stock?: number;
  /** Units held or sold (held ones count until released or expired); never above `stock`. */
  reserved: Opt<number> = 0;
  /** Units one citizen may hold or buy in all. */
  maxPerCitizen?: number;
  salesStart?: Date;
  salesEnd?: Date;
  active: Opt<boolean> = true;
  createdAt!: Opt<Date>;
  updatedAt!: Opt<Date>;
}

/** The life of a stock reservation: held while the citizen pays, then confirmed or released. */
export type ReservationState = 'held' | 'confirmed' | 'released';

/** Units of a product held for one purchase, under an idempotency key. */
export class StockReservation {
  id!: string;
  tenant!: Tenant;
  product!: Product;
  idempotencyKey!: string;
  quantity!: number;
  state!: ReservationState;
  /** Who holds it, for the per-citizen limit (a normalised e-mail or phone); absent when the product has no limit. */
  holder?: string;
  expiresAt!: Date;
  createdAt!: Opt<Date>;
  updatedAt!: Opt<Date>;
}

/** Where a payment stands: `paid` only once the provider's detail said so. */
export type PaymentState = 'created' | 'pending' | 'paid' | 'refused' | 'abandoned' | 'expired';

/** One attempt to collect an amount through a payment provider. */
export class Payment {
  id!: string;
  tenant!: Tenant;
  provider!: string;
  /** The provider's id (PayFiP idOp), once it gave one. */
  providerId?: string;
  /** The provider's page the citizen pays on. */
  paymentUrl?: string;
  /** The debt's reference sent to the provider (PayFiP refdet). */
  reference!: string;
  idempotencyKey!: string;
  amount!: number;
  currency: Opt<string> = 'EUR';
  product?: Product;
  quantity: Opt<number> = 1;
  reservation?: StockReservation;
  request?: CitizenRequest;
  state!: PaymentState;
  /** The provider's result code (PayFiP resultrans). */
  providerCode?: string;
  /** PayFiP numauto. */
  authorisation?: string;
  /** PayFiP dattrans (DDMMYYYY) and heurtrans (HHMM), as sent. */
  transactionDate?: string;
  transactionTime?: string;
  paidAt?: Date;
  expiresAt!: Date;
  createdAt!: Opt<Date>;
  updatedAt!: Opt<Date>;
}

export const ProductSchema = new EntitySchema<Product>({
  class: Product,
  tableName: 'product',
  uniques: [{ name: 'product_tenant_slug_unique', properties: ['tenant', 'slug'] }],
  checks: [
    { name: 'product_reserved_within_stock', expression: 'reserved >= 0 and (stock is null or reserved <= stock)' },
    { name: 'product_limits_positive', expression: '(stock is null or stock >= 0) and (max_per_citizen is null or max_per_citizen > 0)' },
  ],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    slug: { type: 'string', length: 63 },
    label: { type: 'string', length: 200 },
    description: { type: 'text', nullable: true },
    pricing: { type: 'json' },
    stock: { type: 'integer', nullable: true },
    reserved: { type: 'integer', default: 0 },
    maxPerCitizen: { type: 'integer', nullable: true },
    salesStart: timestamptz({ nullable: true }),
    salesEnd: timestamptz({ nullable: true }),
    active: { type: 'boolean', default: true },
    createdAt: timestamptz({ now: true }),
    updatedAt: timestamptz({ now: true }),
  },
});

export const StockReservationSchema = new EntitySchema<StockReservation>({
  class: StockReservation,
  tableName: 'stock_reservation',
  uniques: [{ name: 'stock_reservation_idempotency_key_unique', properties: ['idempotencyKey'] }],
  indexes: [
    { name: 'stock_reservation_product_holder_idx', properties: ['product', 'holder'] },
    { name: 'stock_reservation_held_expiry_idx', properties: ['product', 'expiresAt'], expression: 'create index "stock_reservation_held_expiry_idx" on "stock_reservation" ("product_id", "expires_at") where state = \'held\'' },
  ],
  checks: [{ name: 'stock_reservation_quantity_positive', expression: 'quantity > 0' }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade', index: true },
    product: { kind: 'm:1', entity: () => Product, deleteRule: 'cascade' },
    idempotencyKey: { type: 'string', length: 200 },
    quantity: { type: 'integer' },
    state: { type: 'string', length: 20 },
    holder: { type: 'string', length: 320, nullable: true },
    expiresAt: timestamptz(),
    createdAt: timestamptz({ now: true }),
    updatedAt: timestamptz({ now: true }),
  },
});

export const PaymentSchema = new EntitySchema<Payment>({
  class: Payment,
  tableName: 'payment',
  uniques: [
    { name: 'payment_idempotency_key_unique', properties: ['idempotencyKey'] },
    { name: 'payment_tenant_reference_unique', properties: ['tenant', 'reference'] },
    { name: 'payment_provider_id_unique', properties: ['provider', 'providerId'] },
  ],
  indexes: [{ name: 'payment_tenant_created_idx', properties: ['tenant', 'createdAt'] }],
  checks: [{ name: 'payment_amount_positive', expression: 'amount > 0 and quantity > 0' }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    provider: { type: 'string', length: 20 },
    providerId: { type: 'string', length: 64, nullable: true },
    paymentUrl: { type: 'string', length: 500, nullable: true },
    reference: { type: 'string', length: 30 },
    idempotencyKey: { type: 'string', length: 200 },
    amount: { type: 'integer' },
    currency: { type: 'string', length: 3, default: 'EUR' },
    product: { kind: 'm:1', entity: () => Product, nullable: true, deleteRule: 'set null', index: true },
    quantity: { type: 'integer', default: 1 },
    reservation: { kind: 'm:1', entity: () => StockReservation, nullable: true, deleteRule: 'set null', index: true },
    request: { kind: 'm:1', entity: () => CitizenRequest, nullable: true, deleteRule: 'set null', index: true },
    state: { type: 'string', length: 20 },
    providerCode: { type: 'string', length: 8, nullable: true },
    authorisation: { type: 'string', length: 32, nullable: true },
    transactionDate: { type: 'string', length: 8, nullable: true },
    transactionTime: { type: 'string', length: 4, nullable: true },
    paidAt: timestamptz({ nullable: true }),
    expiresAt: timestamptz(),
    createdAt: timestamptz({ now: true }),
    updatedAt: timestamptz({ now: true }),
  },
});
