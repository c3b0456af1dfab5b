import { randomUUID } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { auditAdminChange, type AdminContext } from '@/domain/admin/context';
import { Product, type ProductPricing } from '@/domain/entities';
import { InputError, NotFoundError, compileValidator, type FieldError } from '@/domain/validation';

/** A product as the console's catalogue screens show and edit it; amounts in cents, dates ISO. */
export interface ProductView {
  slug: string;
  label: string;
  description?: string;
  pricing: ProductPricing;
  stock?: number;
  /** Units held or sold: the stock may not go below it. */
  reserved: number;
  maxPerCitizen?: number;
  salesStart?: string;
  salesEnd?: string;
  active: boolean;
}

/** What the console sends to create or change a product (the slug only at creation). */
export interface ProductInput {
  slug?: string;
  label: string;
  description?: string;
  pricing: ProductPricing;
  stock?: number | null;
  maxPerCitizen?: number | null;
  salesStart?: string | null;
  salesEnd?: string | null;
  active: boolean;
}

const PRICE_MESSAGE = 'Indiquez un prix entre 1,00 € et 99 999,99 € (limites de PayFiP).';
const price = { type: 'integer', minimum: 100, maximum: 9_999_999, errorMessage: PRICE_MESSAGE };
const nullableInteger = (minimum: number, maximum: number, message: string) => ({ type: ['integer', 'null'], minimum, maximum, errorMessage: message });
const instant = (message: string) => ({ type: ['string', 'null'], maxLength: 40, errorMessage: message });

const validateShape = compileValidator<ProductInput>({
  type: 'object',
  additionalProperties: false,
  required: ['label', 'pricing', 'active'],
  properties: {
    slug: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', errorMessage: 'L’identifiant ne contient que des minuscules, des chiffres et des tirets (63 au plus).' },
    label: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S', errorMessage: 'Indiquez le nom du produit (200 caractères au plus).' },
    description: { type: 'string', maxLength: 2000, errorMessage: 'La description ne doit pas dépasser 2 000 caractères.' },
    pricing: {
      type: 'object',
      required: ['kind'],
      properties: { kind: { enum: ['fixed', 'per_unit', 'bracket'], errorMessage: 'Choisissez un mode de tarification : prix fixe, prix à l’unité ou par tranche.' } },
      errorMessage: { type: 'Choisissez un mode de tarification.', required: 'Choisissez un mode de tarification.' },
    },
    stock: nullableInteger(0, 1_000_000, 'Le stock est un nombre entier entre 0 et 1 000 000, ou vide pour un stock illimité.'),
    maxPerCitizen: nullableInteger(1, 1000, 'La limite par personne est un nombre entier entre 1 et 1 000, ou vide.'),
    salesStart: instant('Date d’ouverture des ventes invalide.'),
    salesEnd: instant('Date de fin des ventes invalide.'),
    active: { type: 'boolean', errorMessage: 'Indiquez si le produit est en vente.' },
  },
});
const validateFixed = compileValidator<{ kind: 'fixed'; amount: number }>({
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'amount'],
  properties: { kind: { const: 'fixed' }, amount: price },
});
const validatePerUnit = compileValidator<{ kind: 'per_unit'; unitPrice: number }>({
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'unitPrice'],
  properties: { kind: { const: 'per_unit' }, unitPrice: price },
});
const validateBracket = compileValidator<{ kind: 'bracket'; field: string; brackets: Array<{ upTo?: number; unitPrice: number; label?: string }> }>({
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'field', 'brackets'],
  properties: {
    kind: { const: 'bracket' },
    field: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$', errorMessage: 'Indiquez le champ du formulaire qui détermine la tranche (par exemple quotient).' },
    brackets: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      errorMessage: 'Indiquez de 1 à 20 tranches.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['unitPrice'],
        properties: {
          upTo: { type: 'integer', minimum: 0, maximum: 1_000_000, errorMessage: 'Le plafond d’une tranche est un nombre entier positif.' },
          unitPrice: price,
          label: { type: 'string', maxLength: 100, errorMessage: 'Le nom d’une tranche ne doit pas dépasser 100 caractères.' },
        },
      },
    },
  },
});

function parseInstant(value: string | null | undefined, path: string, errors: FieldError[]): Date | null {
  if (value === undefined || value === null || value === '') return null;
  const at = new Date(value);
  // ISO 8601 with an offset only: a local time without one would depend on the server's zone.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(at.getTime())) {
    errors.push({ path, message: 'Date invalide : indiquez le jour et l’heure.' });
    return null;
  }
  return at;
}

/**
 * Checks a product sent by the console: shape, price by kind, brackets in increasing order with an open last one,
 * sales dates in order. InputError with French field errors; nothing else is thrown for any input.
 */
export function validateProductInput(raw: unknown): ProductInput & { start: Date | null; end: Date | null } {
  const input = validateShape(raw);
  const errors: FieldError[] = [];
  const pricingPath = (error: FieldError) => ({ ...error, path: `/pricing${error.path}` });
  try {
    if (input.pricing.kind === 'fixed') input.pricing = validateFixed(input.pricing);
    else if (input.pricing.kind === 'per_unit') input.pricing = validatePerUnit(input.pricing);
    else input.pricing = validateBracket(input.pricing);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    errors.push(...error.errors.map(pricingPath));
  }
  if (!errors.length && input.pricing.kind === 'bracket') {
    const { brackets } = input.pricing;
    brackets.forEach((bracket, i) => {
      const last = i === brackets.length - 1;
      const path = `/pricing/brackets/${i}/upTo`;
      if (last && bracket.upTo !== undefined) errors.push({ path, message: 'La dernière tranche n’a pas de plafond : elle prend tout le reste.' });
      if (!last && bracket.upTo === undefined) errors.push({ path, message: 'Seule la dernière tranche peut être sans plafond.' });
      const previous = brackets[i - 1]?.upTo;
      if (bracket.upTo !== undefined && previous !== undefined && bracket.upTo <= previous) errors.push({ path, message: 'Les plafonds des tranches doivent être croissants.' });
    });
  }
  const start = parseInstant(input.salesStart, '/salesStart', errors);
  const end = parseInstant(input.salesEnd, '/salesEnd', errors);
  if (start && end && start >= end) errors.push({ path: '/salesEnd', message: 'La fin des ventes doit suivre leur ouverture.' });
  if (errors.length) throw new InputError(errors);
  return { ...input, label: input.label.trim(), start, end };
}

/** A tenant's products, active or not, in label order. */
export async function listProducts(em: EntityManager, tenantId: string): Promise<ProductView[]> {
  const products = await em.fork().find(Product, { tenant: tenantId }, { orderBy: { label: 'asc', slug: 'asc' } });
  return products.map(productView);
}

/** One product of a tenant; NotFoundError otherwise. */
export async function getProduct(em: EntityManager, tenantId: string, slug: string): Promise<ProductView> {
  const product = await em.fork().findOne(Product, { tenant: tenantId, slug });
  if (!product) throw new NotFoundError(`Unknown product ${slug}`);
  return productView(product);
}

/** Creates a product; ConflictError when the slug is taken. Audited. */
export async function createProduct(em: EntityManager, ctx: AdminContext, raw: unknown): Promise<ProductView> {
  const input = validateProductInput(raw);
  if (!input.slug) throw new InputError([{ path: '/slug', message: 'Indiquez l’identifiant du produit (minuscules, chiffres et tirets).' }]);
  const slug = input.slug;
  return em.fork().transactional(async (tx) => {
    const product = tx.create(Product, {
      id: randomUUID(),
      tenant: ctx.tenantId,
      slug,
      label: input.label,
      description: input.description || undefined,
      pricing: input.pricing,
      stock: input.stock ?? undefined,
      maxPerCitizen: input.maxPerCitizen ?? undefined,
      salesStart: input.start ?? undefined,
      salesEnd: input.end ?? undefined,
      active: input.active,
    });
    try {
      await tx.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new InputError([{ path: '/slug', message: `Un produit « ${slug} » existe déjà.` }]);
      throw error;
    }
    const view = productView(product);
    await auditAdminChange(tx, ctx, 'admin.product.create', slug, null, view);
    return view;
  });
}

/**
 * Changes a product under its row lock, as reservations take it: the stock never drops below the units held or sold.
 * The slug never changes (payments and processes name it). Audited with before and after.
 */
export async function updateProduct(em: EntityManager, ctx: AdminContext, slug: string, raw: unknown): Promise<ProductView> {
  const input = validateProductInput(raw);
  if (input.slug !== undefined && input.slug !== slug) throw new InputError([{ path: '/slug', message: 'L’identifiant d’un produit ne change pas.' }]);
  return em.fork().transactional(async (tx) => {
    const product = await tx.findOne(Product, { tenant: ctx.tenantId, slug }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!product) throw new NotFoundError(`Unknown product ${slug}`);
    const stock = input.stock ?? undefined;
    if (stock !== undefined && stock < product.reserved) {
      throw new InputError([{ path: '/stock', message: `Le stock ne peut être inférieur aux ${product.reserved} unités déjà réservées ou vendues.` }]);
    }
    const before = productView(product);
    // Null clears an optional column (no stock limit, no sales dates).
    tx.assign(product, {
      label: input.label,
      description: input.description || null,
      pricing: input.pricing,
      stock: stock ?? null,
      maxPerCitizen: input.maxPerCitizen ?? null,
      salesStart: input.start,
      salesEnd: input.end,
      active: input.active,
      updatedAt: new Date(),
    });
    await tx.flush();
    const after = productView(product);
    await auditAdminChange(tx, ctx, 'admin.product.update', slug, before, after);
    return after;
  });
}

function productView(product: Product): ProductView {
  return {
    slug: product.slug,
    label: product.label,
    ...(product.description ? { description: product.description } : {}),
    pricing: product.pricing,
    ...(product.stock !== undefined && product.stock !== null ? { stock: product.stock } : {}),
    reserved: product.reserved,
    ...(product.maxPerCitizen !== undefined && product.maxPerCitizen !== null ? { maxPerCitizen: product.maxPerCitizen } : {}),
    ...(product.salesStart ? { salesStart: product.salesStart.toISOString() } : {}),
    ...(product.salesEnd ? { salesEnd: product.salesEnd.toISOString() } : {}),
    active: product.active,
  };
}
