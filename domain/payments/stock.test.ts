import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as catalogueRoute } from '@/app/api/v1/t/[tenant]/catalogue/route';
import { Product, Tenant } from '@/domain/entities';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { callRoute } from '@/temporal/testing/helpers';
import { InputError } from '@/domain/validation';
import { findSellableProduct, listCatalogue } from './catalogue';
import { quote } from './pricing';
import { confirmStock, releaseExpiredReservations, releaseStock, reserveStock, StockRefusal } from './stock';

let orm: MikroORM;
let tenantSlug: string;
let tenantId: string;

const products = [
  { slug: 'spectacle', label: 'Spectacle', pricing: { kind: 'per_unit' as const, unitPrice: 1_200 }, stock: 10, maxPerCitizen: 4 },
  { slug: 'grand-concert', label: 'Grand concert', pricing: { kind: 'per_unit' as const, unitPrice: 2_000 }, stock: 60 },
  {
    slug: 'cantine',
    label: 'Cantine',
    pricing: { kind: 'bracket' as const, field: 'quotientFamilial', brackets: [{ upTo: 500, unitPrice: 150 }, { upTo: 900, unitPrice: 280 }, { unitPrice: 480 }] },
  },
  { slug: 'caution', label: 'Caution', pricing: { kind: 'fixed' as const, amount: 30_000 } },
  { slug: 'plus-tard', label: 'Vente future', pricing: { kind: 'fixed' as const, amount: 500 }, stock: 5, salesStart: '2099-01-01T08:00:00Z' },
  { slug: 'cache', label: 'Non vendu en ligne', pricing: { kind: 'fixed' as const, amount: 500 } },
];

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  const tenant = await createTestTenant({
    payment: { provider: 'payfip', numcli: '100200', environment: 'test', products: products.filter((p) => p.slug !== 'cache').map((p) => p.slug) },
    products,
  });
  tenantSlug = tenant.slug;
  tenantId = (await orm.em.fork().getRepository(Tenant).getBySlug(tenantSlug)).id;
});

async function productId(slug: string): Promise<string> {
  return (await orm.em.fork().findOneOrFail(Product, { tenant: tenantId, slug })).id;
}

describe('catalogue', () => {
  it('lists the products sold online with the price in cents, the stock left and availability', async () => {
    const response = await callRoute(catalogueRoute, { tenant: tenantSlug });
    expect(response.status).toBe(200);
    const items = (await response.json()) as Array<Record<string, unknown>>;
    expect(items.map((i) => i.slug)).toEqual(['cantine', 'caution', 'grand-concert', 'spectacle', 'plus-tard']);
    expect(items.find((i) => i.slug === 'cantine')).toEqual({ slug: 'cantine', label: 'Cantine', unitPrice: 480, currency: 'EUR', available: true });
    expect(items.find((i) => i.slug === 'plus-tard')).toMatchObject({ stock: 5, available: false });
    expect(items.find((i) => i.slug === 'spectacle')).toMatchObject({ unitPrice: 1_200, currency: 'EUR', available: true });
    expect((await callRoute(catalogueRoute, { tenant: 'nulle-part' })).status).toBe(404);
  });

  it('works the amount out from the catalogue and the form data, never from the browser', async () => {
    const em = orm.em.fork();
    const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);
    const cantine = await findSellableProduct(em, tenantId, 'cantine', tenant.settings.payment);
    expect(quote(cantine, 10, { quotientFamilial: 480, amount: 1 })).toMatchObject({ unitPrice: 150, amount: 1_500 });
    expect(quote(cantine, 10, { quotientFamilial: '850' })).toMatchObject({ amount: 2_800 });
    expect(quote(cantine, 2, { quotientFamilial: 5_000 })).toMatchObject({ amount: 960 });
    expect(() => quote(cantine, 1, { quotientFamilial: -3 })).toThrow(InputError);
    expect(() => quote(cantine, 1, {})).toThrow(InputError);
    const caution = await findSellableProduct(em, tenantId, 'caution', tenant.settings.payment);
    expect(quote(caution, 1).amount).toBe(30_000);
    expect(() => quote(caution, 2)).toThrow('quantité doit être 1');
    expect(() => quote(caution, 0.5)).toThrow(InputError);
    await expect(findSellableProduct(em, tenantId, 'cache', tenant.settings.payment)).rejects.toThrow('not sold online');
  });
});

describe('stock reservation', () => {
  it('sells exactly the last 10 seats to 50 concurrent buyers and tells the other 40 why', async () => {
    const id = await productId('grand-concert');
    // 50 of the 60 seats are already gone.
    await reserveStock(orm.em, { tenantId, productId: id, quantity: 50, key: `bulk-${randomUUID()}` });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => reserveStock(orm.em, { tenantId, productId: id, quantity: 1, key: `buyer-${i}-${randomUUID()}`, holder: `acheteur${i}@exemple.fr` })),
    );
    const reserved = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(reserved).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const { reason } of refused) {
      expect(reason).toBeInstanceOf(StockRefusal);
      expect((reason as StockRefusal).reason).toBe('sold_out');
      expect((reason as StockRefusal).message).toBe('« Grand concert » est complet : il ne reste plus aucune place disponible.');
    }
    const product = await orm.em.fork().findOneOrFail(Product, { id });
    expect(product.reserved).toBe(60);
    expect((await listCatalogue(orm.em.fork(), tenantSlug)).find((i) => i.slug === 'grand-concert')).toMatchObject({ stock: 0, available: false });
  });

  it('reserves once per key, releases and confirms idempotently, and puts released seats back on sale', async () => {
    const id = await productId('spectacle');
    const key = `achat-${randomUUID()}`;
    const first = await reserveStock(orm.em, { tenantId, productId: id, quantity: 3, key, holder: 'a@exemple.fr' });
    const again = await reserveStock(orm.em, { tenantId, productId: id, quantity: 3, key, holder: 'a@exemple.fr' });
    expect(again.id).toBe(first.id);
    await expect(reserveStock(orm.em, { tenantId, productId: id, quantity: 2, key })).rejects.toThrow('autre quantité');
    expect((await orm.em.fork().findOneOrFail(Product, { id })).reserved).toBe(3);

    const other = `achat-${randomUUID()}`;
    await expect(reserveStock(orm.em, { tenantId, productId: id, quantity: 8, key: other })).rejects.toThrow('Il ne reste que 7 places pour « Spectacle » : vous en demandez 8.');
    expect((await releaseStock(orm.em, tenantId, key))?.state).toBe('released');
    expect((await releaseStock(orm.em, tenantId, key))?.state).toBe('released');
    expect((await orm.em.fork().findOneOrFail(Product, { id })).reserved).toBe(0);
    expect(await confirmStock(orm.em, tenantId, key)).toEqual({ confirmed: false, reason: 'released' });

    const paid = `achat-${randomUUID()}`;
    await reserveStock(orm.em, { tenantId, productId: id, quantity: 2, key: paid });
    expect(await confirmStock(orm.em, tenantId, paid)).toMatchObject({ confirmed: true });
    expect(await confirmStock(orm.em, tenantId, paid)).toMatchObject({ confirmed: true });
    expect((await releaseStock(orm.em, tenantId, paid))?.state).toBe('confirmed');
    expect((await orm.em.fork().findOneOrFail(Product, { id })).reserved).toBe(2);
    await releaseStock(orm.em, tenantId, paid);
    expect(await releaseStock(orm.em, tenantId, 'inconnue')).toBeUndefined();
  });

  it('holds the per-citizen limit, refuses sales not open yet, and frees expired holds', async () => {
    const id = await productId('spectacle');
    const holder = `limite-${randomUUID()}@exemple.fr`;
    await reserveStock(orm.em, { tenantId, productId: id, quantity: 3, key: `l1-${randomUUID()}`, holder });
    const limit = await reserveStock(orm.em, { tenantId, productId: id, quantity: 2, key: `l2-${randomUUID()}`, holder }).catch((e: unknown) => e);
    expect(limit).toMatchObject({ reason: 'citizen_limit', message: 'Vous ne pouvez pas en réserver plus de 4 pour « Spectacle » : vous en avez déjà 3.' });

    const later = await reserveStock(orm.em, { tenantId, productId: await productId('plus-tard'), quantity: 1, key: `f-${randomUUID()}` }).catch((e: unknown) => e);
    expect(later).toMatchObject({ reason: 'not_on_sale' });
    expect((later as Error).message).toMatch(/^« Vente future » n'est pas encore en vente : ouverture le .*2099/);

    const before = (await orm.em.fork().findOneOrFail(Product, { id })).reserved;
    const expiring = `e-${randomUUID()}`;
    const now = new Date();
    await reserveStock(orm.em, { tenantId, productId: id, quantity: 1, key: expiring, now, minutes: 20 });
    const later21 = new Date(now.getTime() + 21 * 60_000);
    expect(await confirmStock(orm.em, tenantId, expiring, later21)).toEqual({ confirmed: false, reason: 'expired' });
    expect((await orm.em.fork().findOneOrFail(Product, { id })).reserved).toBe(before);

    const swept = `s-${randomUUID()}`;
    await reserveStock(orm.em, { tenantId, productId: id, quantity: 1, key: swept, now, minutes: 20 });
    expect(await releaseExpiredReservations(orm.em, tenantId, later21)).toBeGreaterThanOrEqual(1);
    expect((await orm.em.fork().findOneOrFail(Product, { id })).reserved).toBeLessThanOrEqual(before);
  });
});
