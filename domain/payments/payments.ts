import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { Payment, type PaymentState } from '@/domain/entities';
import { ConflictError } from '@/domain/validation';
import type { CreatePaymentInput, PaymentProvider, PaymentVerification } from './provider';

/** States after which a payment never moves again. */
export const FINAL_PAYMENT_STATES: readonly PaymentState[] = ['paid', 'refused', 'abandoned', 'expired'];

/** A payment as the rest of the application sees it: plain data, never the entity. */
export interface PaymentView {
  id: string;
  tenantId: string;
  provider: string;
  providerId?: string;
  paymentUrl?: string;
  reference: string;
  amount: number;
  currency: string;
  state: PaymentState;
  productId?: string;
  quantity: number;
  reservationId?: string;
  requestId?: string;
  authorisation?: string;
  transactionDate?: string;
  transactionTime?: string;
  paidAt?: Date;
  expiresAt: Date;
}

/** What to collect, worked out on the server (see `quote`). */
export interface NewPayment extends Omit<CreatePaymentInput, 'year'> {
  tenantId: string;
  /** From the workflow id and step: the same key creates one payment, whatever the retries. */
  key: string;
  expiresAt: Date;
  productId?: string;
  quantity?: number;
  reservationId?: string;
  requestId?: string;
}

/**
 * PayFiP's `refdet` for a request's payment: its reference's letters and digits and the attempt number, so that a
 * second attempt after a refusal is a new debt line; 6 to 30 characters.
 */
export function paymentReference(requestReference: string, attempt = 1): string {
  const base = requestReference.replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 24);
  return `${base.padEnd(4, '0')}P${String(attempt).padStart(2, '0')}`.slice(0, 30);
}

/**
 * Registers the payment, then creates it at the provider. Idempotent by key: a retry returns the payment already
 * created, or creates it at the provider if the previous attempt failed before the provider answered.
 */
export async function createPayment(em: EntityManager, provider: PaymentProvider, input: NewPayment): Promise<PaymentView> {
  const fork = em.fork();
  try {
    await fork.insert(Payment, {
      id: randomUUID(),
      tenant: input.tenantId,
      provider: provider.name,
      reference: input.reference,
      idempotencyKey: input.key,
      amount: input.amount,
      product: input.productId,
      quantity: input.quantity ?? 1,
      reservation: input.reservationId,
      request: input.requestId,
      state: 'created',
      expiresAt: input.expiresAt,
    });
  } catch (error) {
    // The key (or the reference) is taken: a retry of the same payment, checked below.
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
  }
  const payment = await fork.findOne(Payment, { idempotencyKey: input.key }, { refresh: true });
  if (!payment) throw new ConflictError(`La référence de paiement ${input.reference} sert déjà pour un autre paiement.`);
  if (payment.tenant.id !== input.tenantId || payment.amount !== input.amount || payment.reference !== input.reference) {
    throw new ConflictError('Cette clé de paiement sert déjà pour un autre montant ou une autre référence.');
  }
  if (payment.providerId) return view(payment);
  if (payment.state !== 'created') return view(payment);
  const created = await provider.create({
    reference: input.reference,
    amount: input.amount,
    label: input.label,
    email: input.email,
    notificationUrl: input.notificationUrl,
    returnUrl: input.returnUrl,
  });
  // Only the first answer is kept: two concurrent retries cannot give one payment two idOps.
  await fork.nativeUpdate(Payment, { id: payment.id, providerId: null, state: 'created' }, { providerId: created.providerId, paymentUrl: created.paymentUrl, state: 'pending', updatedAt: new Date() });
  return view(await fork.findOneOrFail(Payment, { id: payment.id }, { refresh: true }));
}

/** The outcome of applying the provider's word to a payment. */
export interface SettlementResult {
  /** `unknown_payment`: no payment of this tenant has that provider id; `mismatch`: amount or reference differ. */
  status: 'applied' | 'unchanged' | 'pending' | 'unknown_payment' | 'mismatch' | 'paid_after_expiry';
  payment?: PaymentView;
  verification?: PaymentVerification;
}

/**
 * Asks the provider for the real state of a payment and records it: the only way a payment becomes paid. A
 * notification, a browser return or a poll all come here; only the first final answer changes the row (a conditional
 * update), so doubled or replayed callbacks change nothing. Unknown ids, other amounts or references, and payments
 * made after expiry are written to the audit trail and never counted.
 */
export async function settlePayment(em: EntityManager, provider: PaymentProvider, tenantId: string, providerId: string, via: string): Promise<SettlementResult> {
  const fork = em.fork();
  const payment = await fork.findOne(Payment, { tenant: tenantId, provider: provider.name, providerId });
  if (!payment) {
    await writeAudit(fork, { tenantId, action: 'payment.notification_unknown', target: providerId.slice(0, 64), outcome: 'refused', data: { via } });
    return { status: 'unknown_payment' };
  }
  const verification = await provider.verify(providerId);
  if (verification.outcome === 'pending' || verification.outcome === 'unknown') return { status: 'pending', payment: view(payment), verification };
  if (verification.outcome === 'paid' && (verification.amount !== payment.amount || verification.reference !== payment.reference)) {
    await writeAudit(fork, {
      tenantId,
      action: 'payment.mismatch',
      target: payment.reference,
      outcome: 'refused',
      data: { via, providerId, expected: { amount: payment.amount, reference: payment.reference }, received: { amount: verification.amount, reference: verification.reference } },
    });
    return { status: 'mismatch', payment: view(payment), verification };
  }
  const state: PaymentState = verification.outcome;
  const changed = await fork.nativeUpdate(
    Payment,
    { id: payment.id, state: { $in: ['created', 'pending'] } },
    {
      state,
      providerCode: verification.providerCode.slice(0, 8),
      authorisation: verification.authorisation?.slice(0, 32),
      transactionDate: verification.transactionDate?.slice(0, 8),
      transactionTime: verification.transactionTime?.slice(0, 4),
      ...(state === 'paid' ? { paidAt: new Date() } : {}),
      updatedAt: new Date(),
    },
  );
  const current = await fork.findOneOrFail(Payment, { id: payment.id }, { refresh: true });
  if (!changed) {
    if (state === 'paid' && current.state === 'expired') {
      await writeAudit(fork, { tenantId, action: 'payment.paid_after_expiry', target: current.reference, outcome: 'refused', data: { via, providerId, amount: current.amount } });
      return { status: 'paid_after_expiry', payment: view(current), verification };
    }
    return { status: 'unchanged', payment: view(current), verification };
  }
  await writeAudit(fork, {
    tenantId,
    action: state === 'paid' ? 'payment.paid' : 'payment.refused',
    target: current.reference,
    data: { via, providerId, amount: current.amount, resultrans: verification.providerCode },
  });
  return { status: 'applied', payment: view(current), verification };
}

/** Gives up a payment nobody paid in time; false when it already ended (paid, refused…). */
export async function expirePayment(em: EntityManager, tenantId: string, key: string): Promise<boolean> {
  const changed = await em.fork().nativeUpdate(Payment, { tenant: tenantId, idempotencyKey: key, state: { $in: ['created', 'pending'] } }, { state: 'expired', updatedAt: new Date() });
  return changed > 0;
}

/** The request a payment belongs to, by tenant slug and reference: the workflow to tell of a settled payment. */
export async function paymentRequestOf(em: EntityManager, paymentId: string): Promise<{ tenantSlug: string; reference: string } | undefined> {
  const payment = await em.fork().findOne(Payment, { id: paymentId }, { populate: ['request', 'tenant'] });
  if (!payment?.request) return undefined;
  return { tenantSlug: payment.tenant.slug, reference: payment.request.reference };
}

/** A payment by its idempotency key, or undefined. */
export async function findPaymentByKey(em: EntityManager, tenantId: string, key: string): Promise<PaymentView | undefined> {
  const payment = await em.fork().findOne(Payment, { tenant: tenantId, idempotencyKey: key });
  return payment ? view(payment) : undefined;
}

function view(payment: Payment): PaymentView {
  return {
    id: payment.id,
    tenantId: payment.tenant.id,
    provider: payment.provider,
    providerId: payment.providerId ?? undefined,
    paymentUrl: payment.paymentUrl ?? undefined,
    reference: payment.reference,
    amount: payment.amount,
    currency: payment.currency,
    state: payment.state,
    productId: payment.product?.id,
    quantity: payment.quantity,
    reservationId: payment.reservation?.id,
    requestId: payment.request?.id,
    authorisation: payment.authorisation ?? undefined,
    transactionDate: payment.transactionDate ?? undefined,
    transactionTime: payment.transactionTime ?? undefined,
    paidAt: payment.paidAt ?? undefined,
    expiresAt: payment.expiresAt,
  };
}
