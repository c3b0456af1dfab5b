/** What the headers of one response depend on. */
export interface SecurityHeaderOptions {
  /** A fresh random value per request, allowed to run scripts. */
  nonce: string;
  /** PUBLIC_URL is https: HSTS, upgrade of mixed content. */
  https: boolean;
  /** Origins that may frame the response: a tenant's portal lists its own web sites; everything else none. */
  frameAncestors: string[] | 'self' | 'none';
  /** Other origins a form may post to or be redirected to: a portal's « Payer » ends on PayFiP's payment page. */
  formTargets?: string[];
  /** `next dev` evaluates code at run time; a built app never does (smart forms load validators generated on the server). */
  development?: boolean;
}

/** A nonce for the Content-Security-Policy: 128 random bits. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}

/**
 * The Content-Security-Policy: scripts only with this request's nonce (Next.js puts it on its own scripts when it
 * finds the policy on the request), no plugins, forms and fetches to this origin. Inline style attributes stay
 * allowed (progress bars, chart sizes): they cannot run code. Logos are https images of the municipality's site.
 */
export function contentSecurityPolicy(options: SecurityHeaderOptions): string {
  const ancestors = options.frameAncestors === 'none' ? "'none'" : options.frameAncestors === 'self' ? "'self'" : ["'self'", ...options.frameAncestors].join(' ');
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${options.nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    ["form-action 'self'", ...(options.formTargets ?? [])].join(' '),
    `frame-ancestors ${ancestors}`,
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** The headers every page and API response carries. */
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(options),
    'x-content-type-options': 'nosniff',
    // Tracking pages carry a reference in their path: other sites learn nothing of where a visitor came from.
    'referrer-policy': 'same-origin',
    // Browsers ignore HSTS over http; sending it only behind https keeps local http development reachable.
    ...(options.https ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}
