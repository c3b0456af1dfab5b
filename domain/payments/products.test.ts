import type { MikroORM } from '@mikro-orm/postgresql';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Agent, Product, Tenant } from '@/domain/entities';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { InputError, NotFoundError } from '@/domain/validation';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { createProduct, getProduct, listProducts, updateProduct, validateProductInput } from './products';
import { reserveStock } from './stock';

let orm: MikroORM;
let ctx: { tenantId: string; agentId: string };
let otherCtx: { tenantId: string; agentId: string };

const fieldErrors = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    if (error instanceof InputError) return error.errors;
    throw error;
  }
  throw new Error('accepted');
};

async function contextOf(slug: string) {
  const em = orm.em.fork();
  const tenant = await em.getRepository(Tenant).getBySlug(slug);
  const admin = await em.findOneOrFail(Agent, { tenant, isAdmin: true });
  return { tenantId: tenant.id, agentId: admin.id };
}

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  const payment = { provider: 'payfip' as const, numcli: '123456', environment: 'test' as const };
  const [mine, other] = await Promise.all([createTestTenant({ payment }), createTestTenant({ payment })]);
  [ctx, otherCtx] = await Promise.all([contextOf(mine.slug), contextOf(other.slug)]);
});

describe('product input', () => {
  it('names each wrong field in French', () => {
    expect(fieldErrors(() => validateProductInput({ label: ' ', pricing: { kind: 'fixed', amount: 50 }, active: true }))).toEqual(
      expect.arrayContaining([{ path: '/label', message: 'Indiquez le nom du produit (200 caractères au plus).' }]),
    );
    expect(fieldErrors(() => validateProductInput({ label: 'Caution', pricing: { kind: 'fixed', amount: 50 }, active: true }))).toEqual([
      { path: '/pricing/amount', message: 'Indiquez un prix entre 1,00 € et 99 999,99 € (limites de PayFiP).' },
    ]);
    expect(fieldErrors(() => validateProductInput({ label: 'Cantine', pricing: { kind: 'gratuit' }, active: true }))).toEqual([
      { path: '/pricing/kind', message: 'Choisissez un mode de tarification : prix fixe, prix à l’unité ou par tranche.' },
    ]);
    const brackets = { kind: 'bracket', field: 'quotient', brackets: [{ upTo: 800, unitPrice: 300 }, { upTo: 500, unitPrice: 200 }, { unitPrice: 480 }] };
    expect(fieldErrors(() => validateProductInput({ label: 'Cantine', pricing: brackets, active: true }))).toEqual([{ path: '/pricing/brackets/1/upTo', message: 'Les plafonds des tranches doivent être croissants.' }]);
    const dates = { label: 'Spectacle', pricing: { kind: 'per_unit', unitPrice: 1_200 }, active: true, salesStart: '2027-01-02T10:00:00Z', salesEnd: '2027-01-01T10:00:00Z' };
    expect(fieldErrors(() => validateProductInput(dates))).toEqual([{ path: '/salesEnd', message: 'La fin des ventes doit suivre leur ouverture.' }]);
    expect(fieldErrors(() => validateProductInput({ ...dates, salesStart: '02/01/2027', salesEnd: null }))).toEqual([{ path: '/salesStart', message: 'Date invalide : indiquez le jour et l’heure.' }]);
    expect(fieldErrors(() => validateProductInput({ label: 'X', pricing: { kind: 'fixed', amount: 500 }, active: true, stock: -1 }))[0].path).toBe('/stock');
  });

  it('answers any JSON with a product or French field errors, never anything else (hostile input)', () => {
    const price = fc.oneof(fc.integer({ min: -10, max: 20_000_000 }), fc.double(), fc.string(), fc.constant(null));
    const pricing = fc.oneof(
      fc.record({ kind: fc.constantFrom('fixed', 'per_unit', 'bracket', '__proto__', 'x'), amount: price, unitPrice: price, field: fc.string(), brackets: fc.array(fc.record({ upTo: price, unitPrice: price, label: fc.string() }, { requiredKeys: [] }), { maxLength: 25 }) }, { requiredKeys: [] }),
      fc.jsonValue(),
    );
    const product = fc.record(
      {
        slug: fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9-]{1,70}$/)),
        label: fc.string({ unit: 'grapheme', maxLength: 300 }),
        description: fc.string(),
        pricing,
        stock: price,
        maxPerCitizen: price,
        salesStart: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constant(null)),
        salesEnd: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constant(null)),
        active: fc.oneof(fc.boolean(), fc.string()),
        constructor: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(product, fc.jsonValue()), (raw) => {
        try {
          const valid = validateProductInput(raw);
          expect(valid.label.trim()).not.toBe('');
          expect(['fixed', 'per_unit', 'bracket']).toContain(valid.pricing.kind);
          if (valid.start && valid.end) expect(valid.start < valid.end).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          expect((error as InputError).errors.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('catalogue of a tenant', () => {
  const seats = { slug: 'concert', label: 'Concert du nouvel an', pricing: { kind: 'per_unit', unitPrice: 1_500 }, stock: 10, maxPerCitizen: 4, active: true };

  it('creates, lists and edits a product, keeping the stock above what is held', async () => {
    const created = await createProduct(orm.em, ctx, seats);
    expect(created).toMatchObject({ slug: 'concert', stock: 10, reserved: 0, active: true });
    expect(fieldErrors2(await createProduct(orm.em, ctx, seats).catch((e: unknown) => e))).toEqual([{ path: '/slug', message: 'Un produit « concert » existe déjà.' }]);
    const product = await orm.em.fork().findOneOrFail(Product, { tenant: ctx.tenantId, slug: 'concert' });
    await reserveStock(orm.em, { tenantId: ctx.tenantId, productId: product.id, quantity: 3, key: `test:${ctx.tenantId}:concert` });
    expect(fieldErrors2(await updateProduct(orm.em, ctx, 'concert', { ...seats, slug: undefined, stock: 2 }).catch((e: unknown) => e))).toEqual([
      { path: '/stock', message: 'Le stock ne peut être inférieur aux 3 unités déjà réservées ou vendues.' },
    ]);
    const edited = await updateProduct(orm.em, ctx, 'concert', { label: 'Concert', pricing: { kind: 'fixed', amount: 2_000 }, stock: null, maxPerCitizen: null, active: false });
    expect(edited).toEqual({ slug: 'concert', label: 'Concert', pricing: { kind: 'fixed', amount: 2_000 }, reserved: 3, active: false });
    expect(await getProduct(orm.em, ctx.tenantId, 'concert')).toEqual(edited);
    expect((await listProducts(orm.em, ctx.tenantId)).map((p) => p.slug)).toEqual(['concert']);
  });

  it('never reads or changes another tenant’s product', async () => {
    await createProduct(orm.em, otherCtx, { ...seats, slug: 'voisin' });
    await expect(updateProduct(orm.em, ctx, 'voisin', { label: 'Pris', pricing: { kind: 'fixed', amount: 100 }, active: true })).rejects.toBeInstanceOf(NotFoundError);
    await expect(getProduct(orm.em, ctx.tenantId, 'voisin')).rejects.toBeInstanceOf(NotFoundError);
    expect((await getProduct(orm.em, otherCtx.tenantId, 'voisin')).label).toBe('Concert du nouvel an');
  });
});

function fieldErrors2(error: unknown) {
  if (error instanceof InputError) return error.errors;
  throw error instanceof Error ? error : new Error('accepted');
}
