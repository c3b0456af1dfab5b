import { env } from '@/domain/env';
import { startOidcLogin } from '@/domain/auth/oidc';
import { cookieHeader } from '@/app/console/_server/cookies';
import { publicConsoleRoute } from '@/app/console/_server/route';

/** Redirects to the tenant's identity provider (ProConnect or another OpenID Connect provider). */
export const GET = publicConsoleRoute(async ({ params, em }) => {
  const redirectUri = new URL(`/api/v1/t/${params.tenant}/agent/oidc/callback`, env().PUBLIC_URL).toString();
  const url = await startOidcLogin(em, params.tenant, redirectUri);
  // The state also rides in a short cookie, binding the callback to the browser that started the login.
  return new Response(null, {
    status: 302,
    headers: { location: url.toString(), 'set-cookie': cookieHeader('relais_oidc_state', url.searchParams.get('state') ?? '', 600, `/api/v1/t/${params.tenant}/agent/oidc`) },
  });
});
