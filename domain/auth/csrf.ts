import { CrossOriginError } from './errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a state-changing request that a browser sent from another site.
 * Browsers always send Sec-Fetch-Site (or at least Origin) on such requests; 'same-site' is refused too,
 * because tenants may live on sibling sub-domains.
 */
export function assertSameOrigin(method: string, headers: Headers, allowedOrigins: string[]): void {
  if (SAFE_METHODS.has(method.toUpperCase())) return;
  const site = headers.get('sec-fetch-site');
  if (site) {
    if (site === 'same-origin') return;
    throw new CrossOriginError();
  }
  const origin = headers.get('origin');
  if (origin && origin !== 'null' && allowedOrigins.includes(origin)) return;
  throw new CrossOriginError();
}
