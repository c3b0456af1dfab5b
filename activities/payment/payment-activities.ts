import { ApplicationFailure } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Tenant, type PaymentState, type TenantPaymentSettings } from '@/domain/entities';
import { findSellableProduct } from '@/domain/payments/catalogue';
import { createPayment, expirePayment, findPaymentByKey, paymentReference, settlePayment } from '@/domain/payments/payments';
import { quote } from '@/domain/payments/pricing';
import type { PaymentProvider } from '@/domain/payments/provider';
import { confirmStock, DEFAULT_RESERVATION_MINUTES, HOLD_MARGIN_MS, releaseStock, reserveStock, StockRefusal } from '@/domain/payments/stock';
import { InputError, NotFoundError } from '@/domain/validation';

/** Dependencies of the payment activities. */
export interface PaymentActivityDeps {
  orm: MikroORM;
  providerFor: (settings: TenantPaymentSettings) => PaymentProvider;
  publicUrl: string;
}

/** What a `collect_payment` step asks for; the amount is worked out here, from the catalogue or the step's own amount. */
export interface StartPaymentInput {
  tenantId: string;
  requestId: string;
  /** The request's reference: the payment's PayFiP refdet is made from it and the attempt. */
  requestReference: string;
  /** From the workflow id and the step's entry: one payment and one hold per entry, whatever the retries. */
  key: string;
  attempt: number;
  label: string;
  /** In cents, when the step gives it (no product). */
  amount?: number;
  /** A catalogue product: its price, brackets and stock apply. */
  product?: string;
  quantity?: number;
  data?: Record<string, unknown>;
  email?: string;
  /** How long the step waits for the payment; one payment's window is shorter (tenant's expiryMinutes, default 20). */
  expiresInMs: number;
}

/** The payment created, or why the stock could not serve it. */
export type StartedPayment =
  | { kind: 'created'; key: string; providerId: string; paymentUrl: string; amount: number; reference: string; expiresAt: string }
  | { kind: 'refused'; reason: string; message: string }
  /** The tenant takes no payment online: the citizen pays at the town hall, and the step waits for its timeout. */
  | { kind: 'offline'; amount?: number };

/** Where a payment stands after asking the provider; `final` once it will never move again. */
export interface PaymentStatus {
  state: PaymentState;
  final: boolean;
  amount: number;
  providerId?: string;
  authorisation?: string;
  paidAt?: string;
}

/** The activities of the `collect_payment` step, bound to their dependencies. */
export function createPaymentActivities(deps: PaymentActivityDeps) {
  const tenantOf = async (tenantId: string) => {
    const tenant = await deps.orm.em.fork().findOne(Tenant, { id: tenantId });
    if (!tenant) throw ApplicationFailure.nonRetryable(`Tenant ${tenantId} does not exist`, 'UnknownRequest');
    if (!tenant.settings.payment) throw ApplicationFailure.nonRetryable(`Tenant ${tenant.slug} takes no payment online`, 'PaymentNotConfigured');
    return { tenant, settings: tenant.settings.payment };
  };

  /** Works the amount out, holds the stock and creates the payment at the provider; idempotent by key. */
  async function startPayment(input: StartPaymentInput): Promise<StartedPayment> {
    const found = await deps.orm.em.fork().findOne(Tenant, { id: input.tenantId }, { fields: ['settings'] });
    if (found && !found.settings.payment) return { kind: 'offline', amount: input.amount };
    const { tenant, settings } = await tenantOf(input.tenantId);
    const em = deps.orm.em.fork();
    const now = Date.now();
    // A PayFiP idOp lives 15 minutes: one payment's window is the tenant's (default 20 minutes), within the step's.
    const windowMs = Math.min(input.expiresInMs, (settings.expiryMinutes ?? DEFAULT_RESERVATION_MINUTES) * 60_000);
    let amount = input.amount;
    let productId: string | undefined;
    let reservationId: string | undefined;
    const quantity = input.quantity ?? 1;
    // A purchase's payment was registered by `POST /purchases` at the amount its 201 told the citizen: that amount and
    // hold stand, even if the catalogue's price or sales dates changed since.
    const registered = await findPaymentByKey(deps.orm.em, tenant.id, input.key);
    if (registered) {
      amount = registered.amount;
      productId = registered.productId;
      reservationId = registered.reservationId;
    }
    try {
      if (input.product && !registered) {
        const product = await findSellableProduct(em, tenant.id, input.product, settings);
        productId = product.id;
        amount = quote(product, quantity, input.data ?? {}).amount;
        if (product.stock !== undefined && product.stock !== null) {
          const holder = input.email?.trim().toLowerCase();
          const minutes = (windowMs + HOLD_MARGIN_MS) / 60_000;
          reservationId = (await reserveStock(deps.orm.em, { tenantId: tenant.id, productId, quantity, key: `${input.key}:stock`, holder, minutes })).id;
        }
      }
      if (amount === undefined || !Number.isInteger(amount) || amount <= 0) {
        throw ApplicationFailure.nonRetryable(`No amount to collect for ${input.key}: ${String(amount)}`, 'InvalidInput');
      }
      const payment = await createPayment(deps.orm.em, deps.providerFor(settings), {
        tenantId: tenant.id,
        key: input.key,
        reference: paymentReference(input.requestReference, input.attempt),
        amount,
        label: input.label,
        email: input.email ?? tenant.settings.contact?.email ?? `ne-pas-repondre@${new URL(deps.publicUrl).hostname}`,
        notificationUrl: `${deps.publicUrl}/api/v1/t/${tenant.slug}/payments/payfip/notification`,
        returnUrl: `${deps.publicUrl}/t/${tenant.slug}/paiement/retour`,
        expiresAt: new Date(now + windowMs),
        productId,
        quantity: registered?.quantity ?? quantity,
        reservationId,
        requestId: input.requestId,
      });
      return { kind: 'created', key: input.key, providerId: payment.providerId!, paymentUrl: payment.paymentUrl!, amount: payment.amount, reference: payment.reference, expiresAt: payment.expiresAt.toISOString() };
    } catch (error) {
      if (error instanceof StockRefusal) return { kind: 'refused', reason: error.reason, message: error.message };
      if (error instanceof InputError || error instanceof NotFoundError) throw ApplicationFailure.nonRetryable(error.message, 'InvalidInput');
      throw error;
    }
  }

  /** Asks the provider where the payment stands, and once it ended, confirms or releases its stock. */
  async function checkPayment(input: { tenantId: string; key: string }): Promise<PaymentStatus> {
    const { settings } = await tenantOf(input.tenantId);
    const payment = await findPaymentByKey(deps.orm.em, input.tenantId, input.key);
    if (!payment) throw ApplicationFailure.nonRetryable(`No payment ${input.key}`, 'UnknownRequest');
    if (payment.providerId && (payment.state === 'pending' || payment.state === 'created')) {
      await settlePayment(deps.orm.em, deps.providerFor(settings), input.tenantId, payment.providerId, 'workflow');
    }
    return applyStock(input.tenantId, input.key);
  }

  /** At the end of the payment window: a last word from the provider, then the payment expires unless it ended. */
  async function expireUnpaid(input: { tenantId: string; key: string }): Promise<PaymentStatus> {
    await checkPayment(input);
    await expirePayment(deps.orm.em, input.tenantId, input.key);
    return applyStock(input.tenantId, input.key);
  }

  async function applyStock(tenantId: string, key: string): Promise<PaymentStatus> {
    const payment = await findPaymentByKey(deps.orm.em, tenantId, key);
    if (!payment) throw ApplicationFailure.nonRetryable(`No payment ${key}`, 'UnknownRequest');
    const final = payment.state !== 'pending' && payment.state !== 'created';
    if (payment.reservationId && final) {
      if (payment.state === 'paid') await confirmStock(deps.orm.em, tenantId, `${key}:stock`);
      else await releaseStock(deps.orm.em, tenantId, `${key}:stock`);
    }
    return {
      state: payment.state,
      final,
      amount: payment.amount,
      providerId: payment.providerId,
      authorisation: payment.authorisation,
      paidAt: payment.paidAt?.toISOString(),
    };
  }

  return { startPayment, checkPayment, expireUnpaid };
}

/** The payment activities as the workflow sees them. */
export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
