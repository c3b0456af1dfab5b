import type { EntityManager } from '@mikro-orm/postgresql';
import { Tenant, type TenantPaymentSettings } from '@/domain/entities';
import { InputError, NotFoundError } from '@/domain/validation';
import { settlePayment, type SettlementResult } from './payments';
import type { PaymentProvider } from './provider';

const MAX_BODY = 4_096;
/** What a provider's payment id (PayFiP idOp) may look like; anything else is refused before a lookup. */
export const PROVIDER_ID = /^[A-Za-z0-9-]{1,64}$/;

/** The `idop` of a PayFiP notification body (form-encoded, as PayFiP posts it, or JSON); InputError in French otherwise. */
export function notificationId(body: string, contentType: string): string {
  if (body.length > MAX_BODY) throw new InputError([{ path: '', message: 'Le contenu envoyé est trop volumineux.' }]);
  let value: unknown;
  if (contentType.toLowerCase().startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body);
      value = parsed && typeof parsed === 'object' ? ((parsed as Record<string, unknown>).idop ?? (parsed as Record<string, unknown>).idOp) : undefined;
    } catch {
      throw new InputError([{ path: '', message: "Le contenu envoyé n'est pas du JSON valide." }]);
    }
  } else {
    const form = new URLSearchParams(body);
    value = form.get('idop') ?? form.get('idOp') ?? undefined;
  }
  if (typeof value !== 'string' || !PROVIDER_ID.test(value)) throw new InputError([{ path: '/idop', message: "L'identifiant de paiement (idop) est absent ou invalide." }]);
  return value;
}

/** Handles a provider's notification for a tenant: the id is checked, then the provider is asked (settlePayment). */
export async function receivePaymentNotification(
  em: EntityManager,
  tenantSlug: string,
  body: string,
  contentType: string,
  providerFor: (settings: TenantPaymentSettings) => PaymentProvider,
): Promise<SettlementResult> {
  const idOp = notificationId(body, contentType);
  const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);
  if (!tenant.settings.payment) throw new NotFoundError(`Tenant ${tenantSlug} takes no payment online`);
  return settlePayment(em, providerFor(tenant.settings.payment), tenant.id, idOp, 'notification');
}
