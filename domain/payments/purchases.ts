// A citizen buys from the catalogue: the amount worked out here, the stock held, the request filed through the one
// intake, and the PayFiP payment created, so that the answer carries the payment page's address.
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { PHONE_ERROR } from '@/domain/contact/phone';
import { CitizenRequest, Tenant, Topic, type TenantPaymentSettings } from '@/domain/entities';
import { formatEuros } from '@/domain/format/french';
import type { createIntake } from '@/domain/intake/submission';
import { validateNewRequest } from '@/domain/intake/submission';
import { processForRequest } from '@/domain/processes/for-request';
import type { PurchaseRef } from '@/domain/processes/workflow-contract';
import { compileValidator, NotFoundError } from '@/domain/validation';
import { findSellableProduct } from './catalogue';
import { createPayment, paymentReference } from './payments';
import { quote } from './pricing';
import { PaymentProviderError, type PaymentProvider } from './provider';
import { DEFAULT_RESERVATION_MINUTES, HOLD_MARGIN_MS, releaseStock, reserveStock } from './stock';

/** What `POST /api/v1/t/{tenant}/purchases` answers with 201. */
export interface PurchaseReceipt {
  reference: string;
  trackingCode: string;
  /** In cents, worked out on the server. */
  amount: number;
  paymentUrl: string;
}

/** Milliseconds each phase of a purchase took: the route sends them as `Server-Timing`, the bench sums them. */
export interface PurchaseTimings {
  price: number;
  hold: number;
  intake: number;
  payment: number;
}

/**
 * PayFiP could not be reached once the purchase was filed: the stock is held, and the workflow's payment step creates
 * the payment when PayFiP answers again; the tracking page then shows its link (HTTP 503 for the API).
 */
export class PaymentNotCreatedYet extends Error {
  constructor(
    readonly reference: string,
    readonly trackingCode: string,
    options?: { cause?: unknown },
  ) {
    super(`Purchase ${reference} filed, its payment not created yet`, options);
    this.name = 'PaymentNotCreatedYet';
  }
}

/** A purchase before it is filed: what the summary page shows. */
export interface PurchaseQuote {
  product: { slug: string; label: string };
  quantity: number;
  unitPrice: number;
  amount: number;
  bracket?: string;
  /** Minutes the citizen has to pay once the purchase is filed (the tenant's payment window). */
  paymentMinutes: number;
}

/** The body of a purchase, once validated. */
export interface PurchaseBody {
  product: string;
  quantity: number;
  contact: { name?: string; email: string; phone?: string };
  data?: Record<string, unknown>;
}

/** JSON Schema of `POST /purchases`. An `amount` is accepted and never read: the server prices. */
export const PURCHASE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['product', 'quantity', 'contact'],
  properties: {
    product: { type: 'string', pattern: '^[a-z0-9-]{1,63}$', errorMessage: 'Choisissez un produit du catalogue.' },
    quantity: { type: 'integer', minimum: 1, maximum: 1000, errorMessage: 'La quantité doit être un nombre entier entre 1 et 1000.' },
    amount: {},
    data: {
      type: 'object',
      maxProperties: 50,
      additionalProperties: { anyOf: [{ type: 'string', maxLength: 500 }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }] },
      errorMessage: 'Les données complémentaires doivent être des valeurs simples (50 au plus).',
    },
    contact: {
      type: 'object',
      additionalProperties: false,
      required: ['email'],
      properties: {
        name: { type: 'string', maxLength: 200, errorMessage: 'Le nom compte 200 caractères au plus.' },
        email: { type: 'string', format: 'email', maxLength: 320, errorMessage: 'Indiquez une adresse électronique valide : le ticket de paiement y est envoyé.' },
        phone: { type: 'string', maxLength: 40, format: 'phone', errorMessage: PHONE_ERROR },
      },
    },
  },
} as const;

const validateBody = compileValidator<PurchaseBody>(PURCHASE_SCHEMA);

/** Validates a purchase body (French field errors); an `amount` in it is dropped. */
export function validatePurchase(body: unknown): PurchaseBody {
  const { product, quantity, contact, data } = validateBody(body);
  return { product, quantity, contact, ...(data ? { data } : {}) };
}

/** Dependencies of the purchase service. */
export interface PurchaseDeps {
  orm: MikroORM;
  intake: ReturnType<typeof createIntake>;
  providerFor: (settings: TenantPaymentSettings) => PaymentProvider;
  publicUrl: string;
}

/** Buying from a tenant's catalogue. */
export function createPurchases(deps: PurchaseDeps) {
  /** What a purchase would cost, from the catalogue and the data (the summary page); NotFoundError, InputError otherwise. */
  async function quotePurchase(tenantSlug: string, body: unknown): Promise<PurchaseQuote> {
    const { product, quantity, unitPrice, amount, bracket, settings } = await price(tenantSlug, validatePurchase(body));
    return { product, quantity, unitPrice, amount, ...(bracket ? { bracket } : {}), paymentMinutes: settings.expiryMinutes ?? DEFAULT_RESERVATION_MINUTES };
  }

  async function price(tenantSlug: string, input: PurchaseBody) {
    const em = deps.orm.em.fork();
    const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);
    const settings = tenant.settings.payment;
    const product = await findSellableProduct(em, tenant.id, input.product, settings);
    const priced = quote(product, input.quantity, input.data ?? {});
    const tracked = (product.stock !== undefined && product.stock !== null) || (product.maxPerCitizen !== undefined && product.maxPerCitizen !== null);
    return {
      tenant,
      settings: settings!,
      productId: product.id,
      tracked,
      product: { slug: product.slug, label: product.label },
      quantity: priced.quantity,
      unitPrice: priced.unitPrice,
      amount: priced.amount,
      ...(priced.bracket ? { bracket: priced.bracket } : {}),
    };
  }

  /**
   * Prices the purchase, holds the stock (StockRefusal, 409, before anything is written), files the request on the
   * tenant's purchase topic through the intake, then creates the PayFiP payment under the same key the workflow's
   * `collect_payment` step will pass. A refused filing gives the held units back at once.
   */
  async function purchase(tenantSlug: string, body: unknown, clientAddress: string): Promise<PurchaseReceipt & { timings: PurchaseTimings }> {
    const lap = stopwatch();
    const input = validatePurchase(body);
    const priced = await price(tenantSlug, input);
    const { tenant, settings } = priced;
    const em = deps.orm.em.fork();
    const topic = await purchaseTopic(tenant.id);
    const quantityText = `${priced.quantity} × ${priced.product.label}`;
    const request = {
      topic: topic.slug,
      subject: `Achat : ${priced.product.label}`.slice(0, 200),
      message: `${quantityText}${priced.bracket ? ` (${priced.bracket})` : ''} : ${formatEuros(priced.amount)}.`,
      contact: input.contact,
      data: { ...input.data, produit: priced.product.slug, quantite: priced.quantity },
    };
    // Contact errors come before any hold, like every other field error.
    validateNewRequest(request);
    const timings: PurchaseTimings = { price: lap(), hold: 0, intake: 0, payment: 0 };

    const key = `purchase:${tenant.id}:${randomUUID()}`;
    const windowMs = (settings.expiryMinutes ?? DEFAULT_RESERVATION_MINUTES) * 60_000;
    const email = input.contact.email.trim().toLowerCase();
    const reservation = priced.tracked
      ? await reserveStock(deps.orm.em, { tenantId: tenant.id, productId: priced.productId, quantity: priced.quantity, key: `${key}:stock`, holder: email, minutes: (windowMs + HOLD_MARGIN_MS) / 60_000 })
      : undefined;
    timings.hold = lap();

    const ref: PurchaseRef = { key, product: priced.product.slug, quantity: priced.quantity, label: quantityText.slice(0, 100), email: input.contact.email, ...(input.data ? { data: input.data } : {}) };
    let receipt: { reference: string; trackingCode: string };
    try {
      const outcome = await deps.intake.submitPublicRequest(tenant.slug, request, 'web', { clientAddress, purchase: ref });
      if (outcome.duplicate) throw new Error('A purchase was answered as a duplicate');
      receipt = outcome;
    } catch (error) {
      if (reservation) await releaseStock(deps.orm.em, tenant.id, `${key}:stock`);
      throw error;
    }

    const stored = await em.findOneOrFail(CitizenRequest, { tenant: tenant.id, reference: receipt.reference }, { fields: ['id'] });
    timings.intake = lap();
    const payment = await createPayment(deps.orm.em, deps.providerFor(settings), {
      tenantId: tenant.id,
      key,
      reference: paymentReference(receipt.reference, 1),
      amount: priced.amount,
      label: ref.label,
      email: input.contact.email,
      notificationUrl: `${deps.publicUrl}/api/v1/t/${tenant.slug}/payments/payfip/notification`,
      returnUrl: `${deps.publicUrl}/t/${tenant.slug}/paiement/retour`,
      expiresAt: new Date(Date.now() + windowMs),
      productId: priced.productId,
      quantity: priced.quantity,
      reservationId: reservation?.id,
      requestId: stored.id,
    }).catch((error: unknown) => {
      // The request is filed and the workflow's step creates the same payment by key once PayFiP answers.
      if (error instanceof PaymentProviderError) throw new PaymentNotCreatedYet(receipt.reference, receipt.trackingCode, { cause: error });
      throw error;
    });
    timings.payment = lap();
    return { reference: receipt.reference, trackingCode: receipt.trackingCode, amount: payment.amount, paymentUrl: payment.paymentUrl!, timings };
  }

  /** The tenant's purchase topic (kind `purchase`), whose process has a payment step that takes the purchase. */
  async function purchaseTopic(tenantId: string): Promise<Topic> {
    const em = deps.orm.em.fork();
    const topics = await em.find(Topic, { tenant: tenantId, kind: 'purchase', active: true }, { orderBy: [{ position: 'asc' }, { slug: 'asc' }] });
    for (const topic of topics) {
      const process = await processForRequest(deps.orm, em, tenantId, topic);
      if (process?.definition.steps.some((step) => step.kind === 'collect_payment' && !step.product)) return topic;
    }
    throw new NotFoundError('This tenant has no purchase topic whose process collects a payment');
  }

  return { quotePurchase, purchase };
}

/** Each call gives the milliseconds since the previous one (or since the stopwatch was made). */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const elapsed = now - last;
    last = now;
    return Math.round(elapsed * 10) / 10;
  };
}
