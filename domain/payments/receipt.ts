import type { EntityManager } from '@mikro-orm/postgresql';
import { Payment } from '@/domain/entities';
import { formatEuros, frenchLongDateTime } from '@/domain/format/french';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';

/** What a payment receipt prints, already written for a French reader. */
export interface PaymentReceiptData {
  regie: string;
  product: string;
  quantity: number;
  unitPrice: string;
  amount: string;
  /** « 5 décembre 2026 à 10 h 12 » in the tenant's time zone. */
  paidAt: string;
  /** PayFiP numauto. */
  authorisation: string;
  /** PayFiP idOp. */
  providerId: string;
  /** PayFiP refdet. */
  paymentReference: string;
  /** Plain amount in cents, for the e-mail's variables. */
  amountCents: number;
}

/**
 * The receipt of a request's paid payment, by the payment's idempotency key; undefined unless that payment of this
 * tenant and request is paid (a receipt never certifies money not verified with the provider).
 */
export async function paymentReceiptData(em: EntityManager, tenantId: string, requestId: string, paymentKey: string): Promise<PaymentReceiptData | undefined> {
  const payment = await em.fork().findOne(Payment, { tenant: tenantId, request: requestId, idempotencyKey: paymentKey }, { populate: ['product', 'tenant'] });
  if (!payment || payment.state !== 'paid' || !payment.paidAt) return undefined;
  const settings = payment.tenant.settings;
  const timeZone = settings.timeZone ?? DEFAULT_TIME_ZONE;
  return {
    regie: settings.payment?.regie ?? `régie de recettes de ${payment.tenant.name}`,
    product: payment.product?.label ?? 'Paiement en ligne',
    quantity: payment.quantity,
    // The amount was worked out from the catalogue as unit price × quantity; a bracket's unit price is the one applied.
    unitPrice: formatEuros(Math.round(payment.amount / payment.quantity)),
    amount: formatEuros(payment.amount),
    paidAt: paidAtOf(payment, timeZone),
    authorisation: payment.authorisation ?? '—',
    providerId: payment.providerId ?? '—',
    paymentReference: payment.reference,
    amountCents: payment.amount,
  };
}

// PayFiP's own dattrans / heurtrans are the bank's record; Relais's clock is the fallback.
function paidAtOf(payment: Payment, timeZone: string): string {
  const d = payment.transactionDate;
  const t = payment.transactionTime;
  if (d && /^\d{8}$/.test(d) && t && /^\d{4}$/.test(t)) {
    const months = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
    const day = Number(d.slice(0, 2));
    const month = months[Number(d.slice(2, 4)) - 1];
    if (month && day >= 1 && day <= 31) return `${day === 1 ? '1er' : day} ${month} ${d.slice(4)} à ${Number(t.slice(0, 2))} h ${t.slice(2)}`;
  }
  return frenchLongDateTime(payment.paidAt!, timeZone);
}
