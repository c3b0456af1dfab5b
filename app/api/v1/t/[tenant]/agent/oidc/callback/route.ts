import { completeOidcLogin } from '@/domain/auth/oidc';
import { UnauthenticatedError } from '@/domain/auth/errors';
import { env } from '@/domain/env';
import { cookieHeader, readCookie, sessionCookie } from '@/app/console/_server/cookies';
import { publicConsoleRoute } from '@/app/console/_server/route';

/** Where the identity provider sends the agent back: checks state (cookie and server-side), nonce and PKCE, then opens a session. */
export const GET = publicConsoleRoute(async ({ request, params, em }) => {
  const incoming = new URL(request.url);
  // Behind a proxy request.url may carry an internal host; the provider redirected to the public one.
  const callbackUrl = new URL(`${incoming.pathname}${incoming.search}`, env().PUBLIC_URL);
  if (readCookie(request, 'relais_oidc_state') !== callbackUrl.searchParams.get('state')) {
    throw new UnauthenticatedError('La connexion n’a pas été commencée depuis ce navigateur : recommencez.');
  }
  const { token } = await completeOidcLogin(em, params.tenant, callbackUrl, { userAgent: request.headers.get('user-agent') });
  const headers = new Headers({ location: `/console/${params.tenant}` });
  headers.append('set-cookie', sessionCookie(token));
  headers.append('set-cookie', cookieHeader('relais_oidc_state', '', 0, `/api/v1/t/${params.tenant}/agent/oidc`));
  return new Response(null, { status: 302, headers });
});
