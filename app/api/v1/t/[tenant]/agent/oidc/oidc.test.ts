import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@/dev/ports';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { call } from '@/app/console/_server/testing';
import { GET as oidcCallback } from './callback/route';
import { GET as oidcLogin } from './login/route';
import { GET as me } from '@/app/api/v1/t/[tenant]/agent/session/route';
import { completeOidcLogin, saveOidcSettings, startOidcLogin } from '@/domain/auth/oidc';

// A real OpenID Provider (the certified `oidc-provider`) on loopback, set up as ProConnect is: confidential client,
// PKCE, acr eidas1, names and e-mail given by a signed userinfo response rather than the ID token.
const CLIENT = { client_id: 'relais', client_secret: 'un-secret-de-test-assez-long' };

let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let server: Server;
let issuer: string;
let redirectUri: string;
const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();

beforeAll(async () => {
  tenant = await createTestTenant();
  redirectUri = `http://relais.test/api/v1/t/${tenant.slug}/agent/oidc/callback`;
  issuer = `http://127.0.0.1:${await freePort()}`;
  const provider = new Provider(issuer, {
    clients: [{ ...CLIENT, redirect_uris: [redirectUri], userinfo_signed_response_alg: 'RS256' }],
    claims: { openid: ['sub'], email: ['email'], given_name: ['given_name'], usual_name: ['usual_name'] },
    acrValues: ['eidas1'],
    cookies: { keys: ['une-cle-de-cookie-de-test'] },
    // The development login form takes any account id: the e-mail the provider vouches for.
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: sub, given_name: 'Camille', usual_name: 'Martin' }) }),
  });
  server = provider.listen(new URL(issuer).port);
  const tenantId = (await (await em()).getConnection().execute('select id from tenant where slug = ?', [tenant.slug]))[0].id;
  await saveOidcSettings(await em(), tenantId, { enabled: true, issuer, clientId: CLIENT.client_id, clientSecret: CLIENT.client_secret });
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await closeAllORMs();
});

/** An agent's browser at the provider: follows redirects, keeps cookies, fills the login and consent forms. */
async function signInAtProvider(authorizationUrl: URL, account: string): Promise<URL> {
  const cookies = new Map<string, string>();
  const visit = async (url: URL, form?: Record<string, string>) => {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
      body: form ? new URLSearchParams(form) : undefined,
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return response;
  };
  let url = authorizationUrl;
  let response = await visit(url);
  for (let step = 0; step < 12; step++) {
    const location = response.headers.get('location');
    if (location?.startsWith(redirectUri)) return new URL(location);
    if (location) {
      url = new URL(location, url);
      response = await visit(url);
      continue;
    }
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (!action) throw new Error(`No form at ${url} (HTTP ${response.status}): ${page.slice(0, 300)}`);
    const prompt = page.includes('value="consent"') ? 'consent' : 'login';
    url = new URL(action, url);
    response = await visit(url, prompt === 'login' ? { prompt, login: account, password: 'inutilisé' } : { prompt });
  }
  throw new Error('The provider never sent the agent back');
}

describe('OpenID Connect login against a real provider', () => {
  it('signs an agent in through the login and callback routes: discovery, PKCE, signed userinfo, then a session', async () => {
    const started = await call(oidcLogin, { tenant: tenant.slug });
    expect(started.status).toBe(302);
    const authorization = new URL(started.headers.get('location')!);
    expect(authorization.origin).toBe(issuer);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    const stateCookie = started.headers.get('set-cookie')!.split(';')[0];
    expect(stateCookie).toBe(`relais_oidc_state=${authorization.searchParams.get('state')}`);

    // The e-mail as the provider spells it; agents are matched whatever the case.
    const callback = await signInAtProvider(authorization, tenant.mail('civil').toUpperCase());
    const path = `${callback.pathname}${callback.search}`;
    const elsewhere = await call(oidcCallback, { tenant: tenant.slug }, { path });
    expect(elsewhere.status).toBe(401);
    expect((await elsewhere.json()).error).toMatch(/pas été commencée depuis ce navigateur/);

    const finished = await call(oidcCallback, { tenant: tenant.slug }, { path, cookie: stateCookie });
    expect(finished.status).toBe(302);
    expect(finished.headers.get('location')).toBe(`/console/${tenant.slug}`);
    const session = finished.headers.getSetCookie().find((cookie) => cookie.startsWith('relais_session='))!.split(';')[0];
    const agent = await call(me, { tenant: tenant.slug }, { cookie: session });
    expect(await agent.json()).toMatchObject({ name: 'Agent État civil', tenantSlug: tenant.slug });

    // Replayed, the callback finds its login already used.
    const replayed = await call(oidcCallback, { tenant: tenant.slug }, { path, cookie: stateCookie });
    expect(replayed.status).toBe(401);
    expect((await replayed.json()).error).toMatch(/déjà utilisée/);
  });

  it('refuses an identity the provider vouches for but no active agent of the municipality has', async () => {
    const authorization = await startOidcLogin(await em(), tenant.slug, redirectUri);
    const callback = await signInAtProvider(authorization, 'inconnu@ailleurs.fr');
    await expect(completeOidcLogin(await em(), tenant.slug, callback)).rejects.toThrow(/Aucun compte agent/);
  });
});
