import type { EntityManager } from '@mikro-orm/postgresql';
import { Payment, Tenant, type TenantPaymentSettings } from '@/domain/entities';
import { publicPayment, type PublicPayment } from '@/domain/tracking/public-view';
import { PROVIDER_ID } from './notification';
import { settlePayment, type SettlementResult } from './payments';
import { PaymentProviderError, type PaymentProvider } from './provider';

/** What the payment return page shows: the payment as it really stands, and the request it belongs to. */
export interface PaymentReturn {
  payment: PublicPayment;
  requestReference?: string;
  /** The result of asking the provider now, when the payment was still open; the caller tells the workflow. */
  settlement?: SettlementResult;
}

/**
 * The citizen's browser back from the provider's page (`urlredirect?idop=…`). Like a notification, it is never
 * trusted: a payment still open is verified with the provider (`recupererDetailPaiementSecurise`) through the same
 * conditional update, so the page shows the real state whichever of the browser and the notification comes first,
 * and a return repeated changes nothing. Undefined for an unknown or malformed id (an unknown one is audited).
 */
export async function paymentOnReturn(
  em: EntityManager,
  tenantSlug: string,
  idop: string | undefined,
  providerFor: (settings: TenantPaymentSettings) => PaymentProvider,
): Promise<PaymentReturn | undefined> {
  if (!idop || !PROVIDER_ID.test(idop)) return undefined;
  const tenant = await em.getRepository(Tenant).findBySlug(tenantSlug);
  if (!tenant?.settings.payment) return undefined;
  const provider = providerFor(tenant.settings.payment);
  const found = await em.fork().findOne(Payment, { tenant, provider: provider.name, providerId: idop });
  let settlement: SettlementResult | undefined;
  if (!found || found.state === 'pending' || found.state === 'created') {
    try {
      settlement = await settlePayment(em, provider, tenant.id, idop, 'browser_return');
    } catch (error) {
      // PayFiP unreachable: the page says the result is not known yet, and the workflow keeps polling.
      if (!(error instanceof PaymentProviderError)) throw error;
    }
  }
  if (!found) return undefined;
  const payment = await em.fork().findOneOrFail(Payment, { id: found.id }, { populate: ['product', 'request'] });
  return { payment: publicPayment(payment), requestReference: payment.request?.reference, ...(settlement ? { settlement } : {}) };
}
