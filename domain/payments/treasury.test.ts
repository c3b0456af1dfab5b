import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Payment, Product, Tenant, type PaymentState } from '@/domain/entities';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { InputError } from '@/domain/validation';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { parseTreasuryFilters, reconciliationCsv, startOfDay, treasuryReport } from './treasury';

let orm: MikroORM;
let tenantId: string;
let otherTenantId: string;

const PRODUCTS = [
  { slug: 'theatre', label: '=Théâtre', pricing: { kind: 'per_unit' as const, unitPrice: 1_200 }, stock: 100 },
  { slug: 'caution', label: 'Caution de salle', pricing: { kind: 'fixed' as const, amount: 15_000 } },
];

async function insert(tenant: string, productSlug: string, state: PaymentState, at: string, extra: Partial<Payment> = {}) {
  const em = orm.em.fork();
  const product = await em.findOneOrFail(Product, { tenant, slug: productSlug });
  const instant = new Date(at);
  await em.insert(Payment, {
    id: randomUUID(),
    tenant,
    provider: 'payfip',
    providerId: `op-${randomUUID().slice(0, 12)}`,
    reference: `R${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`,
    idempotencyKey: `test:${randomUUID()}`,
    amount: 2_400,
    product: product.id,
    quantity: 2,
    state,
    expiresAt: new Date(instant.getTime() + 20 * 60_000),
    createdAt: new Date(instant.getTime() - 60_000),
    updatedAt: instant,
    ...(state === 'paid' ? { paidAt: instant, authorisation: 'A12345', transactionDate: '03122026', transactionTime: '2355', providerCode: 'P' } : {}),
    ...extra,
  });
}

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  const payment = { provider: 'payfip' as const, numcli: '123456', environment: 'test' as const };
  const [mine, other] = await Promise.all([createTestTenant({ payment, products: PRODUCTS }), createTestTenant({ payment, products: PRODUCTS })]);
  tenantId = (await orm.em.fork().getRepository(Tenant).getBySlug(mine.slug)).id;
  otherTenantId = (await orm.em.fork().getRepository(Tenant).getBySlug(other.slug)).id;
  // 3 December 2026, 23:55 in Paris is already the 3rd at 22:55 UTC; 00:05 on the 4th in Paris is 23:05 UTC on the 3rd.
  await insert(tenantId, 'theatre', 'paid', '2026-12-03T22:55:00Z');
  await insert(tenantId, 'theatre', 'paid', '2026-12-03T23:05:00Z', { amount: 3_600, quantity: 3 });
  await insert(tenantId, 'caution', 'paid', '2026-12-04T09:00:00Z', { amount: 15_000, quantity: 1 });
  await insert(tenantId, 'theatre', 'refused', '2026-12-04T10:00:00Z');
  await insert(tenantId, 'theatre', 'paid', '2026-12-10T10:00:00Z');
  await insert(otherTenantId, 'theatre', 'paid', '2026-12-04T09:30:00Z', { amount: 99_900 });
});

describe('treasury report', () => {
  it('groups payments by the tenant’s day of payment, with counts and the amount cashed, and reads only this tenant', async () => {
    const report = await treasuryReport(orm.em, tenantId, { from: '2026-12-03', to: '2026-12-04' });
    expect(report.days.map((d) => d.day)).toEqual(['2026-12-04', '2026-12-03']);
    const [fourth, third] = report.days;
    expect(third).toMatchObject({ count: 1, paidCount: 1, paidAmount: 2_400 });
    expect(fourth).toMatchObject({ count: 3, paidCount: 2, paidAmount: 18_600 });
    expect(report.totals).toEqual({ count: 4, paidCount: 3, paidAmount: 21_000 });
    expect(report.days.flatMap((d) => d.payments).some((p) => p.amount === 99_900)).toBe(false);
  });

  it('filters by product and by state', async () => {
    const caution = await treasuryReport(orm.em, tenantId, { from: '2026-12-01', to: '2026-12-31', product: 'caution' });
    expect(caution.totals).toEqual({ count: 1, paidCount: 1, paidAmount: 15_000 });
    const refused = await treasuryReport(orm.em, tenantId, { from: '2026-12-01', to: '2026-12-31', state: 'refused' });
    expect(refused.totals).toEqual({ count: 1, paidCount: 0, paidAmount: 0 });
    const unknown = await treasuryReport(orm.em, tenantId, { from: '2026-12-01', to: '2026-12-31', product: 'inconnu' });
    expect(unknown.days).toEqual([]);
  });

  it('exports the paid payments for reconciliation, a formula-looking cell written as text', async () => {
    const report = await treasuryReport(orm.em, tenantId, { from: '2026-12-03', to: '2026-12-04' });
    const { csv, rows } = reconciliationCsv(report);
    expect(rows).toBe(3);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = parse(csv.slice(1), { delimiter: ';', columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(lines[0])).toEqual(['idOp', 'refdet', 'montant (EUR)', 'date', 'heure', 'numauto', 'produit', 'quantité', 'référence de la demande', 'état']);
    expect(lines.map((l) => l['montant (EUR)']).sort()).toEqual(['150,00', '24,00', '36,00']);
    expect(lines.every((l) => l.idOp.startsWith('op-') && l.numauto === 'A12345' && l.date === '03/12/2026' && l.heure === '23:55')).toBe(true);
    expect(lines.find((l) => l['montant (EUR)'] === '24,00')!.produit).toBe("'=Théâtre");
  });
});

describe('treasury filters', () => {
  it('defaults to the last seven days and refuses bad dates in French', () => {
    expect(parseTreasuryFilters({}, '2026-12-05')).toEqual({ from: '2026-11-29', to: '2026-12-05' });
    expect(() => parseTreasuryFilters({ du: '2026-02-30' }, '2026-12-05')).toThrow(/Date de début invalide/);
    expect(() => parseTreasuryFilters({ du: '2026-12-05', au: '2026-12-01' }, '2026-12-05')).toThrow(/La date de fin doit suivre/);
    expect(() => parseTreasuryFilters({ du: '2024-01-01', au: '2026-12-01' }, '2026-12-05')).toThrow(/366 jours/);
    expect(() => parseTreasuryFilters({ etat: 'rembourse' }, '2026-12-05')).toThrow(/État de paiement inconnu/);
  });

  it('takes any query string without an unexpected error (hostile input)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('du', 'au', 'produit', 'etat', 'x'), fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constant('2026-12-01'))), (params) => {
        try {
          const filters = parseTreasuryFilters(params, '2026-12-05');
          expect(filters.from <= filters.to).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
    );
  });

  it('finds local midnight across daylight saving time', () => {
    expect(startOfDay('2026-03-29', 'Europe/Paris').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfDay('2026-03-30', 'Europe/Paris').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(startOfDay('2026-07-01', 'Indian/Reunion').toISOString()).toBe('2026-06-30T20:00:00.000Z');
  });
});
