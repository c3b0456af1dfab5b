import type { TenantPaymentSettings } from '@/domain/entities';
import { env } from '@/domain/env';
import type { PaymentProvider } from '@/domain/payments/provider';
import { PAYFIP_PRODUCTION_ENDPOINTS, PayfipProvider, type PayfipEndpoints } from './payfip';

/** PayFiP's addresses: PAYFIP_SERVICE_URL / PAYFIP_PAYMENT_URL (the simulator in development), else the DGFiP's. */
export function payfipEndpoints(): PayfipEndpoints {
  const config = env();
  return {
    serviceUrl: config.PAYFIP_SERVICE_URL ?? PAYFIP_PRODUCTION_ENDPOINTS.serviceUrl,
    paymentUrl: config.PAYFIP_PAYMENT_URL ?? PAYFIP_PRODUCTION_ENDPOINTS.paymentUrl,
  };
}

/** The provider of a tenant's payment settings. */
export function paymentProviderFor(settings: TenantPaymentSettings, endpoints: PayfipEndpoints = payfipEndpoints()): PaymentProvider {
  return new PayfipProvider({ numcli: settings.numcli, environment: settings.environment }, endpoints);
}
