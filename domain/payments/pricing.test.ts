import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateTenantConfig, type TenantConfig } from '@/domain/tenant-config/import';
import { InputError } from '@/domain/validation';
import { listedUnitPrice, quote } from './pricing';

const cantine = {
  label: 'Cantine',
  pricing: { kind: 'bracket' as const, field: 'quotientFamilial', brackets: [{ upTo: 500, unitPrice: 150 }, { upTo: 900, unitPrice: 280 }, { unitPrice: 480 }] },
};

describe('pricing', () => {
  it('lists the full price of brackets and never quotes outside them, whatever the data', () => {
    expect(listedUnitPrice(cantine.pricing)).toBe(480);
    fc.assert(
      fc.property(fc.anything(), fc.integer({ min: -5, max: 2_000 }), (value, quantity) => {
        try {
          const { amount, unitPrice } = quote(cantine, quantity, { quotientFamilial: value });
          expect([150, 280, 480]).toContain(unitPrice);
          expect(amount).toBe(unitPrice * quantity);
          expect(quantity).toBeGreaterThanOrEqual(1);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
    );
  });
});

describe('products in a tenant file', () => {
  const base = (products: TenantConfig['products'], payment?: TenantConfig['settings']['payment']): unknown => ({
    slug: 'commune',
    name: 'Commune',
    settings: { organisation: 'decentralised', ...(payment ? { payment } : {}) },
    departments: [{ slug: 'accueil', name: 'Accueil' }],
    topics: [{ slug: 'question', label: 'Question', department: 'accueil', delay: 'P8D' }],
    products,
  });
  const paths = (value: unknown) => {
    try {
      validateTenantConfig(value);
      return [];
    } catch (error) {
      return (error as InputError).errors.map((e) => e.path);
    }
  };

  it('refuses unordered or open-ended brackets, inverted sales dates, prices out of bounds and unknown products for payment', () => {
    expect(
      paths(
        base([
          { slug: 'a', label: 'A', pricing: { kind: 'bracket', field: 'qf', brackets: [{ upTo: 900, unitPrice: 200 }, { upTo: 500, unitPrice: 300 }, { upTo: 1000, unitPrice: 400 }] } },
          { slug: 'b', label: 'B', pricing: { kind: 'fixed', amount: 500 }, salesStart: '2027-02-01T00:00:00Z', salesEnd: '2027-01-01T00:00:00Z' },
        ], { provider: 'payfip', numcli: '123456', environment: 'test', products: ['a', 'zz'] }),
      ),
    ).toEqual(['/products/0/pricing/brackets/1/upTo', '/products/0/pricing/brackets/2/upTo', '/products/1/salesEnd', '/settings/payment/products/1']);
    expect(paths(base([{ slug: 'c', label: 'C', pricing: { kind: 'per_unit', unitPrice: 50 } }]))).not.toEqual([]);
    expect(paths(base([], { provider: 'payfip', numcli: '12345', environment: 'test' }))).toEqual(['/settings/payment/numcli']);
  });
});
