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
