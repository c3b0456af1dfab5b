import { NextResponse, type NextRequest } from 'next/server';
import { corsDecision, publicApiTenant } from './app/_server/cors';
import { newNonce, securityHeaders } from './app/_server/security-headers';
import { consoleRequirement, createConsoleAccess } from './domain/auth/console-access';
import { SESSION_COOKIE } from './domain/auth/sessions';
import { devPathExists } from './domain/dev-tools';
import { env } from './domain/env';
import { PAYFIP_PRODUCTION_PAYMENT_PAGE } from './domain/payments/provider';
import { createHostDirectory } from './domain/tenant-config/host-directory';

let hosts: ReturnType<typeof createHostDirectory> | undefined;
let consoleAccess: ReturnType<typeof createConsoleAccess> | undefined;

/**
 * Runs before every page and API request:
 * - `/dev/*` exists only while the stack runs its own mail sink or SMSC simulator (404 otherwise);
 * - the public API answers CORS for the origins its tenant lists, and refuses other sites' writes;
 * - a console section the agent's role may not see answers 403 (the page shows the French explanation);
 * - a municipality's own host name (`tenant.hostnames`) serves its portal at the root (`/question` → `/t/{tenant}/question`);
 * - every response carries the security headers, with a fresh script nonce that Next.js also puts on its scripts.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const config = env();
  hosts ??= createHostDirectory(config.DATABASE_URL);
  const { pathname } = request.nextUrl;
  const nonce = newNonce();
  const publicOrigin = new URL(config.PUBLIC_URL).origin;
  const https = config.PUBLIC_URL.startsWith('https:');

  let tenant = /^\/t\/([a-z0-9][a-z0-9-]{0,62})(\/|$)/.exec(pathname)?.[1];
  // Paths that name their tenant, the API, the console, tools and assets never need the host lookup.
  const ownPath = /^\/(api|console|dev|_next)(\/|$)|^\/(favicon\.ico|robots\.txt)$/.test(pathname);
  const hostTenant = tenant || ownPath ? undefined : await hosts.tenantFor(request.headers.get('host'));
  tenant ??= hostTenant;
  const headers = securityHeaders({
    nonce,
    https,
    frameAncestors: tenant ? await hosts.allowedOriginsOf(tenant) : 'none',
    // The purchase summary's « Payer » is answered with a redirect to PayFiP, which form-action governs too.
    formTargets: tenant ? [new URL(config.PAYFIP_PAYMENT_URL ?? PAYFIP_PRODUCTION_PAYMENT_PAGE).origin] : [],
    development: process.env.NODE_ENV === 'development',
  });
  const finish = (response: NextResponse, extra: Record<string, string> = {}) => {
    for (const [name, value] of Object.entries({ ...headers, ...extra })) response.headers.set(name, value);
    return response;
  };
  // Next.js reads the policy from the request to find the nonce for its own inline scripts.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', headers['content-security-policy']);

  if ((pathname === '/dev' || pathname.startsWith('/dev/')) && !devPathExists(pathname)) {
    // An unmatched path: Next.js renders the French "page introuvable" with its 404.
    return finish(NextResponse.rewrite(new URL('/_introuvable', request.url), { request: { headers: requestHeaders }, status: 404 }));
  }

  const apiTenant = publicApiTenant(pathname);
  let corsHeaders: Record<string, string> = {};
  if (apiTenant) {
    const ownOrigins = [publicOrigin, request.nextUrl.origin];
    const decision = corsDecision(request.method, request.headers.get('origin'), ownOrigins, await hosts.allowedOriginsOf(apiTenant));
    if (decision.kind === 'refuse') return finish(NextResponse.json({ error: decision.error }, { status: decision.status }), { vary: 'Origin' });
    if (decision.kind === 'preflight') return finish(new NextResponse(null, { status: 204, headers: decision.headers }));
    corsHeaders = decision.headers;
  }

  const section = consoleRequirement(pathname);
  if (section) {
    consoleAccess ??= createConsoleAccess(config.DATABASE_URL);
    // Should the database not answer, the page's own check still refuses (with the French page, status 200).
    const allowed = await consoleAccess(request.cookies.get(SESSION_COOKIE)?.value, section.tenant, section.requires).catch(() => undefined);
    if (allowed === false) return finish(NextResponse.next({ request: { headers: requestHeaders }, status: 403 }));
  }

  if (hostTenant) {
    const url = request.nextUrl.clone();
    url.pathname = `/t/${hostTenant}${pathname === '/' ? '' : pathname}`;
    return finish(NextResponse.rewrite(url, { request: { headers: requestHeaders } }));
  }
  return finish(NextResponse.next({ request: { headers: requestHeaders } }), corsHeaders);
}

export const config = {
  // Everything but Next.js's immutable build assets: pages, API routes, console, development tools.
  matcher: ['/((?!_next/static/|_next/image).*)'],
};
