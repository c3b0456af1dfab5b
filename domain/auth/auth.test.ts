import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { setPassword } from '@/app/console/_server/testing';
import { loginWithPassword } from './login';
import { completeOidcLogin, saveOidcSettings, startOidcLogin, validateOidcSettings, type OidcProvider } from './oidc';
import { completePasswordReset, requestPasswordReset } from './reset';
import { loadSession } from './sessions';
import { UnauthenticatedError } from './errors';
import { InputError } from '@/domain/validation';

let tenant: Awaited<ReturnType<typeof createTestTenant>>;
const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();

beforeAll(async () => {
  tenant = await createTestTenant();
  await setPassword(tenant.slug, tenant.mail('agent'), 'ancien-mot-de-passe');
});
afterAll(() => closeAllORMs());

describe('password reset', () => {
  it('e-mails a single-use link that sets a new password and ends old sessions', async () => {
    const sent: Array<{ to: string; text: string }> = [];
    const old = await loginWithPassword(await em(), tenant.slug, { email: tenant.mail('agent'), password: 'ancien-mot-de-passe' });
    await requestPasswordReset(await em(), tenant.slug, { email: tenant.mail('agent') }, { publicUrl: 'http://relais.test', send: async (m) => sent.push(m) });
    await requestPasswordReset(await em(), tenant.slug, { email: `inconnu@${tenant.slug}.test` }, { publicUrl: 'http://relais.test', send: async (m) => sent.push(m) });
    expect(sent).toHaveLength(1);
    const token = /jeton=([\w-]+)/.exec(sent[0].text)![1];
    await expect(completePasswordReset(await em(), tenant.slug, { token, password: 'court' })).rejects.toThrow(InputError);
    await completePasswordReset(await em(), tenant.slug, { token, password: 'nouveau-mot-de-passe-solide' });
    expect(await loadSession(await em(), old.token)).toBeUndefined();
    await expect(completePasswordReset(await em(), tenant.slug, { token, password: 'encore-un-autre-mot-de-passe' })).rejects.toThrow(/invalide, expiré ou déjà utilisé/);
    const fresh = await loginWithPassword(await em(), tenant.slug, { email: tenant.mail('agent'), password: 'nouveau-mot-de-passe-solide' });
    expect((await loadSession(await em(), fresh.token))?.email).toBe(tenant.mail('agent'));
  });
});

describe('OpenID Connect', () => {
  it('validates the settings with French messages', () => {
    expect(() => validateOidcSettings({ enabled: true, issuer: 'http://idp.example', clientId: 'x', scopes: 'email' })).toThrow(InputError);
    try {
      validateOidcSettings({ enabled: true, issuer: 'http://idp.example', clientId: 'x', scopes: 'email' });
    } catch (error) {
      expect((error as InputError).errors).toEqual([
        { path: '/issuer', message: "L'émetteur doit utiliser https." },
        { path: '/scopes', message: 'Les portées doivent inclure « openid ».' },
        { path: '/clientSecret', message: 'Le secret client est obligatoire pour activer la connexion.' },
      ]);
    }
    expect(validateOidcSettings({ enabled: true, issuer: 'https://auth.agentconnect.gouv.fr/api/v2', clientId: 'abc', clientSecret: 's' }).scopes).toBe('openid email given_name usual_name');
  });

  it('checks state and nonce on the callback, once, and maps the e-mail to an active agent', async () => {
    const tenantId = (await (await em()).getConnection().execute('select id from tenant where slug = ?', [tenant.slug]))[0].id;
    await saveOidcSettings(await em(), tenantId, { enabled: true, issuer: 'https://idp.example', clientId: 'relais', clientSecret: 'secret' });
    const seen: Array<{ expectedState: string; expectedNonce: string; pkceCodeVerifier: string }> = [];
    let email = tenant.mail('civil');
    const provider: OidcProvider = {
      async authorizationUrl(_settings, params) {
        const url = new URL('https://idp.example/authorize');
        for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
        return url;
      },
      async exchange(_settings, _url, checks) {
        seen.push(checks);
        return { sub: 'abc', email };
      },
    };
    const authorize = await startOidcLogin(await em(), tenant.slug, 'http://relais.test/cb', provider);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const state = authorize.searchParams.get('state')!;
    const nonce = authorize.searchParams.get('nonce')!;

    await expect(completeOidcLogin(await em(), tenant.slug, new URL('http://relais.test/cb?code=1&state=forged'), { provider })).rejects.toThrow(UnauthenticatedError);
    await expect(completeOidcLogin(await em(), tenant.slug, new URL('http://relais.test/cb?code=1'), { provider })).rejects.toThrow(/state absent/);
    const { token } = await completeOidcLogin(await em(), tenant.slug, new URL(`http://relais.test/cb?code=1&state=${state}`), { provider });
    expect(seen[0]).toMatchObject({ expectedState: state, expectedNonce: nonce });
    expect((await loadSession(await em(), token))?.email).toBe(tenant.mail('civil'));
    await expect(completeOidcLogin(await em(), tenant.slug, new URL(`http://relais.test/cb?code=1&state=${state}`), { provider })).rejects.toThrow(/déjà utilisée/);

    const second = (await startOidcLogin(await em(), tenant.slug, 'http://relais.test/cb', provider)).searchParams.get('state')!;
    await expect(completeOidcLogin(await em(), tenant.slug, new URL(`http://relais.test/cb?code=1&state=${second}`), { provider, now: new Date(Date.now() + 11 * 60_000) })).rejects.toThrow(/expiré/);
    const third = (await startOidcLogin(await em(), tenant.slug, 'http://relais.test/cb', provider)).searchParams.get('state')!;
    email = 'inconnu@ailleurs.fr';
    await expect(completeOidcLogin(await em(), tenant.slug, new URL(`http://relais.test/cb?code=1&state=${third}`), { provider })).rejects.toThrow(/Aucun compte agent/);
  });
});
