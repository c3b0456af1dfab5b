import type { Product, ProductPricing } from '@/domain/entities';
import { InputError } from '@/domain/validation';

/** The price the catalogue shows for one unit: for brackets, the full price, which applies without the form's value. */
export function listedUnitPrice(pricing: ProductPricing): number {
  switch (pricing.kind) {
    case 'fixed':
      return pricing.amount;
    case 'per_unit':
      return pricing.unitPrice;
    case 'bracket':
      return Math.max(...pricing.brackets.map((bracket) => bracket.unitPrice));
  }
}

/** What a purchase costs, in cents. */
export interface Quote {
  unitPrice: number;
  quantity: number;
  amount: number;
  /** The bracket applied, for the receipt. */
  bracket?: string;
}

/**
 * The amount of a purchase, worked out on the server from the catalogue and the form's data; any amount the browser
 * sent is never read. InputError (French) for a quantity or bracket value that does not fit.
 */
export function quote(product: Pick<Product, 'pricing' | 'label'>, quantity: number, data: Record<string, unknown> = {}): Quote {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 1000) {
    throw new InputError([{ path: '/quantity', message: 'La quantité doit être un nombre entier entre 1 et 1000.' }]);
  }
  const { pricing } = product;
  switch (pricing.kind) {
    case 'fixed':
      if (quantity !== 1) throw new InputError([{ path: '/quantity', message: `« ${product.label} » se règle en une seule fois : la quantité doit être 1.` }]);
      return { unitPrice: pricing.amount, quantity: 1, amount: pricing.amount };
    case 'per_unit':
      return { unitPrice: pricing.unitPrice, quantity, amount: pricing.unitPrice * quantity };
    case 'bracket': {
      const raw = data[pricing.field];
      const value = typeof raw === 'string' && /^\d{1,7}$/.test(raw.trim()) ? Number(raw.trim()) : raw;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1_000_000) {
        throw new InputError([{ path: `/data/${pricing.field}`, message: 'Indiquez un nombre entier positif : il détermine votre tarif.' }]);
      }
      const bracket = pricing.brackets.find((b) => b.upTo === undefined || value <= b.upTo) ?? pricing.brackets[pricing.brackets.length - 1];
      return { unitPrice: bracket.unitPrice, quantity, amount: bracket.unitPrice * quantity, bracket: bracket.label };
    }
  }
}
