import type { EntityManager } from '@mikro-orm/postgresql';
import { Product, StockReservation, Tenant, type ProductPricing, type TenantPaymentSettings } from '@/domain/entities';
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

/** A product as the portal offers it: the catalogue's item and what the purchase form needs. */
export interface ProductOffer extends CatalogueItem {
  description?: string;
  pricing: ProductPricing;
  maxPerCitizen?: number;
}

/** The products a tenant sells online, in label order; NotFoundError for an unknown tenant. */
export async function listCatalogue(em: EntityManager, tenantSlug: string, now = new Date()): Promise<CatalogueItem[]> {
  return (await listProductOffers(em, tenantSlug, now)).map(({ slug, label, unitPrice, currency, stock, available }) => ({
    slug,
    label,
    unitPrice,
    currency,
    ...(stock === undefined ? {} : { stock }),
    available,
  }));
}

/** The catalogue with descriptions, pricing and limits, for the portal; NotFoundError for an unknown tenant. */
export async function listProductOffers(em: EntityManager, tenantSlug: string, now = new Date()): Promise<ProductOffer[]> {
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
      ...(product.description ? { description: product.description } : {}),
      pricing: product.pricing,
      ...(product.maxPerCitizen ? { maxPerCitizen: product.maxPerCitizen } : {}),
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

/** One product of the portal's catalogue, or undefined when the tenant does not sell it online. */
export async function findProductOffer(em: EntityManager, tenantSlug: string, slug: string, now = new Date()): Promise<ProductOffer | undefined> {
  return (await listProductOffers(em, tenantSlug, now)).find((offer) => offer.slug === slug);
}
