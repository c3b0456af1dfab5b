import type { EntityManager } from '@mikro-orm/postgresql';
import { Product, StockReservation, Tenant, type TenantPaymentSettings } from '@/domain/entities';
import { NotFoundError } from '@/domain/validation';
import { listedUnitPrice } from './pricing';

/** A product as the public catalogue lists it (`GET /api/v1/t/{tenant}/catalogue`). */
export interface CatalogueItem {
  slug: string;
  label: string;
  /** In cents; for tariff brackets, the full price. */
  unitPrice: number;
  currency: 'EUR';
  /** Units still on sale, for products with a stock. */
  stock?: number;
  /** On sale now: active, within its sales dates, not sold out, and the tenant takes payments online. */
  available: boolean;
}

/** The products a tenant sells online, in label order; NotFoundError for an unknown tenant. */
export async function listCatalogue(em: EntityManager, tenantSlug: string, now = new Date()): Promise<CatalogueItem[]> {
  const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);
  const payment = tenant.settings.payment;
  const products = await em.find(Product, { tenant, active: true, ...(payment?.products ? { slug: { $in: payment.products } } : {}) }, { orderBy: { label: 'asc' } });
  // Holds past their expiry are back on sale even before a reservation or the sweep releases them.
  const expired = await em.find(StockReservation, { tenant, state: 'held', expiresAt: { $lte: now } }, { fields: ['product', 'quantity'] });
  const freed = new Map<string, number>();
  for (const r of expired) freed.set(r.product.id, (freed.get(r.product.id) ?? 0) + r.quantity);
  return products.map((product) => {
    const remaining = product.stock === undefined || product.stock === null ? undefined : product.stock - product.reserved + (freed.get(product.id) ?? 0);
    const onSale = Boolean(payment) && (!product.salesStart || now >= product.salesStart) && (!product.salesEnd || now < product.salesEnd);
    return {
      slug: product.slug,
      label: product.label,
      unitPrice: listedUnitPrice(product.pricing),
      currency: 'EUR' as const,
      ...(remaining === undefined ? {} : { stock: remaining }),
      available: onSale && (remaining === undefined || remaining > 0),
    };
  });
}

/** A product a tenant sells online, by slug; NotFoundError when unknown, inactive or not allowed for online payment. */
export async function findSellableProduct(em: EntityManager, tenantId: string, slug: string, payment: TenantPaymentSettings | undefined): Promise<Product> {
  if (!payment) throw new NotFoundError('This tenant takes no payment online');
  if (payment.products && !payment.products.includes(slug)) throw new NotFoundError(`Product ${slug} is not sold online`);
  const product = await em.findOne(Product, { tenant: tenantId, slug, active: true });
  if (!product) throw new NotFoundError(`Unknown product ${slug}`);
  return product;
}
