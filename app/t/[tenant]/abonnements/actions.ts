'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { clientAddress } from '@/domain/antispam/client-address';
import { env } from '@/domain/env';
import { ConflictError, InputError, NotFoundError } from '@/domain/validation';
import { SpamRefusal } from '@/domain/antispam/refusal';
import { appContext } from '@/app/_server/context';
import type { ConsentContext } from '@/domain/subscriptions/subscriptions';

async function consent(via: string): Promise<ConsentContext> {
  const requestHeaders = await headers();
  return { via, clientAddress: clientAddress(requestHeaders, env().RELAIS_TRUSTED_PROXIES), userAgent: requestHeaders.get('user-agent') ?? undefined };
}

function page(tenantSlug: string, name: string, token: string, extra: Record<string, string> = {}): string {
  return `/t/${tenantSlug}/abonnements/${name}?${new URLSearchParams({ jeton: token, ...extra })}`;
}

/** The outcome of a refused step, as a query parameter the page turns into French text. */
function refusal(error: unknown): Record<string, string> {
  if (error instanceof NotFoundError) return { erreur: 'lien' };
  if (error instanceof ConflictError) return { erreur: 'expire' };
  if (error instanceof InputError) return { erreur: 'code' };
  throw error;
}

/** The portal's subscription form: one list, an e-mail address and/or a mobile number. */
export async function requestPortalSubscription(tenantSlug: string, form: FormData): Promise<void> {
  const { subscriptions } = await appContext();
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' && value.trim() ? value.trim() : undefined;
  };
  // Robots fill every field; people never see this one.
  if (text('site')) redirect(`/t/${tenantSlug}/abonnements?envoye=courriel`);
  const body = { list: text('liste') ?? '', email: text('email'), phone: text('telephone') };
  let receipt: Awaited<ReturnType<typeof subscriptions.requestSubscription>>;
  try {
    receipt = await subscriptions.requestSubscription(tenantSlug, body, await consent('portal'));
  } catch (error) {
    if (error instanceof InputError) {
      redirect(`/t/${tenantSlug}/abonnements?${new URLSearchParams({ erreur: error.errors.map((e) => e.path).join(','), liste: body.list })}`);
    }
    if (error instanceof SpamRefusal && error.isRateLimit) redirect(`/t/${tenantSlug}/abonnements?erreur=limite`);
    throw error;
  }
  if (receipt.codeToken) redirect(page(tenantSlug, 'code', receipt.codeToken, receipt.channels.includes('email') ? { courriel: '1' } : {}));
  redirect(`/t/${tenantSlug}/abonnements?envoye=courriel`);
}

/** "Confirmer mon abonnement" on the page the e-mailed link opens. */
export async function confirmEmailSubscription(tenantSlug: string, token: string): Promise<void> {
  const { subscriptions } = await appContext();
  let outcome: Record<string, string>;
  try {
    await subscriptions.confirmByLink(tenantSlug, token, await consent('portal'));
    outcome = { fait: '1' };
  } catch (error) {
    outcome = refusal(error);
  }
  redirect(page(tenantSlug, 'confirmer', token, outcome));
}

/** The code received by SMS, typed on the portal. */
export async function confirmSmsCode(tenantSlug: string, token: string, form: FormData): Promise<void> {
  const { subscriptions } = await appContext();
  let outcome: Record<string, string>;
  try {
    await subscriptions.confirmByCode(tenantSlug, token, form.get('code'), await consent('portal'));
    outcome = { fait: '1' };
  } catch (error) {
    outcome = refusal(error);
  }
  redirect(page(tenantSlug, 'code', token, outcome));
}

/** The preferences page's "Enregistrer": the ticked lists are kept or joined, the others left. */
export async function savePreferences(tenantSlug: string, token: string, form: FormData): Promise<void> {
  const { subscriptions } = await appContext();
  const keep = form.getAll('listes').filter((value): value is string => typeof value === 'string').slice(0, 100);
  let outcome: Record<string, string>;
  try {
    await subscriptions.updatePreferences(tenantSlug, token, keep, await consent('preferences_link'));
    outcome = { enregistre: '1' };
  } catch (error) {
    outcome = refusal(error);
  }
  redirect(page(tenantSlug, 'preferences', token, outcome));
}
