/** Public tracking page of a request (the citizen types the code there, or follows the e-mailed link). */
export function trackingUrl(publicUrl: string, tenantSlug: string, reference: string, code?: string): string {
  const url = new URL(`/t/${encodeURIComponent(tenantSlug)}/suivi/${encodeURIComponent(reference)}`, publicUrl);
  if (code) url.searchParams.set('code', code);
  return url.toString();
}

/** The case page of a request in the agent console. */
export function consoleUrl(publicUrl: string, tenantSlug: string, reference: string): string {
  return new URL(`/console/${encodeURIComponent(tenantSlug)}/demandes/${encodeURIComponent(reference)}`, publicUrl).toString();
}

/** A page of the portal's subscription pages, carrying its signed token. */
export function subscriptionPageUrl(publicUrl: string, tenantSlug: string, page: 'confirmer' | 'code' | 'preferences' | 'desabonnement', token: string): string {
  const url = new URL(`/t/${encodeURIComponent(tenantSlug)}/abonnements/${page}`, publicUrl);
  url.searchParams.set('jeton', token);
  return url.toString();
}

/** The one-click unsubscription address of an e-mail's List-Unsubscribe header (RFC 8058: a POST unsubscribes). */
export function oneClickUnsubscribeUrl(publicUrl: string, tenantSlug: string, token: string): string {
  const url = new URL(`/api/v1/t/${encodeURIComponent(tenantSlug)}/subscriptions/unsubscribe`, publicUrl);
  url.searchParams.set('token', token);
  return url.toString();
}
