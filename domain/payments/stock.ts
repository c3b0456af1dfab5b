import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Product, StockReservation, type ReservationState } from '@/domain/entities';
import { ConflictError, NotFoundError } from '@/domain/validation';
import { frenchLongDateTime } from '@/domain/format/french';

/** Minutes a citizen has to pay before held stock goes back on sale, unless the tenant sets its own. */
export const DEFAULT_RESERVATION_MINUTES = 20;

/** Stock is held a little longer than the payment window: the workflow, not the hold's expiry, decides a late payment. */
export const HOLD_MARGIN_MS = 5 * 60_000;

/** Why a reservation was refused. */
export type StockRefusalReason = 'sold_out' | 'citizen_limit' | 'not_on_sale';

/** A reservation the stock cannot serve (HTTP 409), with a French message for the citizen. */
export class StockRefusal extends ConflictError {
  constructor(
    readonly reason: StockRefusalReason,
    message: string,
    /** Units still on sale when refused. */
    readonly available?: number,
  ) {
    super(message);
    this.name = 'StockRefusal';
  }
}

/** A reservation as the rest of the application sees it. */
export interface ReservationView {
  id: string;
  key: string;
  productId: string;
  quantity: number;
  state: ReservationState;
  expiresAt: Date;
}

/** What to hold. */
export interface ReserveInput {
  tenantId: string;
  productId: string;
  quantity: number;
  /** Derived from the workflow and step: the same key reserves once, whatever the retries. */
  key: string;
  /** A normalised contact (lower-case e-mail): counts against the product's per-citizen limit. */
  holder?: string;
  minutes?: number;
  now?: Date;
}

/**
 * Holds units of a product. Every change to a product's stock takes its row lock first (SELECT … FOR UPDATE), then
 * releases expired holds, checks and moves the `reserved` counter in the same transaction: concurrent buyers queue on
 * that row, so no two can take the last unit, and the table's check (reserved <= stock) backs it up.
 * Idempotent: a second call with the same key returns the first reservation.
 */
export async function reserveStock(em: EntityManager, input: ReserveInput): Promise<ReservationView> {
  const now = input.now ?? new Date();
  return em.fork().transactional(async (tx) => {
    const product = await lockProduct(tx, input.tenantId, input.productId);
    const existing = await tx.findOne(StockReservation, { idempotencyKey: input.key });
    if (existing) {
      if (existing.product.id !== product.id || existing.quantity !== input.quantity) {
        throw new ConflictError('Cette clé de réservation sert déjà pour un autre produit ou une autre quantité.');
      }
      return view(existing);
    }
    await releaseExpiredHolds(tx, product, now);
    assertOnSale(product, now);
    if (product.maxPerCitizen !== undefined && product.maxPerCitizen !== null && input.holder) {
      const mine = await tx.find(StockReservation, { product, holder: input.holder, state: { $in: ['held', 'confirmed'] } }, { fields: ['quantity'] });
      const already = mine.reduce((sum, r) => sum + r.quantity, 0);
      if (already + input.quantity > product.maxPerCitizen) {
        throw new StockRefusal(
          'citizen_limit',
          `Vous ne pouvez pas en réserver plus de ${product.maxPerCitizen} pour « ${product.label} »` +
            (already ? ` : vous en avez déjà ${already}.` : ` : vous en demandez ${input.quantity}.`),
        );
      }
    }
    if (product.stock !== undefined && product.stock !== null) {
      const available = product.stock - product.reserved;
      if (available < input.quantity) {
        throw new StockRefusal(
          'sold_out',
          available <= 0
            ? `« ${product.label} » est complet : il ne reste plus aucune place disponible.`
            : `Il ne reste ${available === 1 ? 'qu’une place' : `que ${available} places`} pour « ${product.label} » : vous en demandez ${input.quantity}.`,
          Math.max(available, 0),
        );
      }
    }
    const reservation = tx.create(StockReservation, {
      id: randomUUID(),
      tenant: input.tenantId,
      product,
      idempotencyKey: input.key,
      quantity: input.quantity,
      state: 'held',
      holder: input.holder,
      expiresAt: new Date(now.getTime() + (input.minutes ?? DEFAULT_RESERVATION_MINUTES) * 60_000),
    });
    product.reserved += input.quantity;
    product.updatedAt = now;
    await tx.flush();
    return view(reservation);
  });
}

/** Puts held units back on sale (refused, abandoned, expired payment). Idempotent; a confirmed sale stays sold. */
export async function releaseStock(em: EntityManager, tenantId: string, key: string): Promise<ReservationView | undefined> {
  return em.fork().transactional(async (tx) => {
    const found = await tx.findOne(StockReservation, { idempotencyKey: key, tenant: tenantId }, { fields: ['product'] });
    if (!found) return undefined;
    await lockProduct(tx, tenantId, found.product.id);
    const reservation = await tx.findOneOrFail(StockReservation, { idempotencyKey: key }, { refresh: true });
    if (reservation.state === 'held') {
      reservation.state = 'released';
      reservation.product.reserved -= reservation.quantity;
      await tx.flush();
    }
    return view(reservation);
  });
}

/** The outcome of confirming: a late payment finds its hold expired and its units possibly sold to someone else. */
export type ConfirmOutcome = { confirmed: true; reservation: ReservationView } | { confirmed: false; reason: 'released' | 'expired' | 'unknown' };

/** Turns held units into sold ones once the payment is verified. Idempotent; never confirms an expired or released hold. */
export async function confirmStock(em: EntityManager, tenantId: string, key: string, now = new Date()): Promise<ConfirmOutcome> {
  return em.fork().transactional(async (tx) => {
    const found = await tx.findOne(StockReservation, { idempotencyKey: key, tenant: tenantId }, { fields: ['product'] });
    if (!found) return { confirmed: false, reason: 'unknown' };
    const product = await lockProduct(tx, tenantId, found.product.id);
    const reservation = await tx.findOneOrFail(StockReservation, { idempotencyKey: key }, { refresh: true });
    if (reservation.state === 'confirmed') return { confirmed: true, reservation: view(reservation) };
    if (reservation.state === 'released') return { confirmed: false, reason: 'released' };
    if (reservation.expiresAt <= now) {
      reservation.state = 'released';
      product.reserved -= reservation.quantity;
      await tx.flush();
      return { confirmed: false, reason: 'expired' };
    }
    reservation.state = 'confirmed';
    await tx.flush();
    return { confirmed: true, reservation: view(reservation) };
  });
}

/** Releases every expired hold of a tenant's products (a sweep; reservations also release them lazily). Returns the units freed. */
export async function releaseExpiredReservations(em: EntityManager, tenantId: string, now = new Date()): Promise<number> {
  const products = await em.fork().find(StockReservation, { tenant: tenantId, state: 'held', expiresAt: { $lte: now } }, { fields: ['product'] });
  let freed = 0;
  for (const productId of new Set(products.map((r) => r.product.id))) {
    freed += await em.fork().transactional(async (tx) => releaseExpiredHolds(tx, await lockProduct(tx, tenantId, productId), now));
  }
  return freed;
}

async function lockProduct(tx: EntityManager, tenantId: string, productId: string): Promise<Product> {
  const product = await tx.findOne(Product, { id: productId, tenant: tenantId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!product) throw new NotFoundError(`Unknown product ${productId}`);
  return product;
}

// Under the product's lock only.
async function releaseExpiredHolds(tx: EntityManager, product: Product, now: Date): Promise<number> {
  const expired = await tx.find(StockReservation, { product, state: 'held', expiresAt: { $lte: now } });
  let freed = 0;
  for (const reservation of expired) {
    reservation.state = 'released';
    freed += reservation.quantity;
  }
  product.reserved -= freed;
  await tx.flush();
  return freed;
}

function assertOnSale(product: Product, now: Date): void {
  if (!product.active) throw new StockRefusal('not_on_sale', `« ${product.label} » n'est plus en vente.`);
  if (product.salesStart && now < product.salesStart) {
    throw new StockRefusal('not_on_sale', `« ${product.label} » n'est pas encore en vente : ouverture le ${frenchLongDateTime(product.salesStart)}.`);
  }
  if (product.salesEnd && now >= product.salesEnd) throw new StockRefusal('not_on_sale', `La vente de « ${product.label} » est close.`);
}

function view(reservation: StockReservation): ReservationView {
  return {
    id: reservation.id,
    key: reservation.idempotencyKey,
    productId: reservation.product.id,
    quantity: reservation.quantity,
    state: reservation.state,
    expiresAt: reservation.expiresAt,
  };
}

/**
 * Releases the expired holds of every tenant: the worker's sweep, every minute. Reservations and the catalogue already
 * treat expired holds as free; the sweep keeps `reserved` true for readers that do not (the console, exports) and
 * frees holds a purchase left behind when its filing was cut short (a web process killed between hold and request).
 */
export async function releaseAllExpiredReservations(em: EntityManager, now = new Date()): Promise<number> {
  const expired = await em.fork().find(StockReservation, { state: 'held', expiresAt: { $lte: now } }, { fields: ['tenant'], limit: 10_000 });
  let freed = 0;
  for (const tenantId of new Set(expired.map((r) => r.tenant.id))) freed += await releaseExpiredReservations(em, tenantId, now);
  return freed;
}
