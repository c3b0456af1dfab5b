import * as oidc from 'openid-client';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { Agent, OidcLogin, Tenant, TenantOidc } from '@/domain/entities';
import { decryptSecret, encryptSecret } from '@/domain/secrets/envelope';
import { oidcSecretContext } from './oidc-secret';
import { InputError, NotFoundError, compileValidator } from '@/domain/validation';
import { UnauthenticatedError } from './errors';
import { createSession } from './sessions';
import { hashToken } from './tokens';

/** A login started at the provider must come back within this time. */
export const OIDC_LOGIN_TTL_MS = 10 * 60_000;

/** ProConnect's production issuer; its scopes and claims are the default. */
export const PROCONNECT_ISSUER = 'https://auth.agentconnect.gouv.fr/api/v2';

/** A tenant's OpenID Connect settings, as administrators edit them. */
export interface OidcSettings {
  enabled: boolean;
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes: string;
  label: string;
}

const validateShape = compileValidator<OidcSettings>({
  type: 'object',
  additionalProperties: false,
  required: ['enabled', 'issuer', 'clientId'],
  properties: {
    enabled: { type: 'boolean' },
    issuer: { type: 'string', format: 'uri', maxLength: 500, errorMessage: "L'émetteur doit être une URL (par exemple https://auth.agentconnect.gouv.fr/api/v2)." },
    clientId: { type: 'string', minLength: 1, maxLength: 300, errorMessage: "Saisissez l'identifiant client fourni par le fournisseur d'identité." },
    clientSecret: { type: 'string', maxLength: 500 },
    scopes: { type: 'string', maxLength: 300, default: 'openid email given_name usual_name' },
    label: { type: 'string', minLength: 1, maxLength: 100, default: 'Se connecter avec ProConnect' },
  },
});

/** Validates OIDC settings: https issuer (http only for localhost), the openid scope, a secret when enabled. */
export function validateOidcSettings(value: unknown): OidcSettings {
  const settings = validateShape(value);
  const errors: InputError['errors'] = [];
  const issuer = new URL(settings.issuer);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
  if (issuer.protocol !== 'https:' && !(local && issuer.protocol === 'http:')) errors.push({ path: '/issuer', message: "L'émetteur doit utiliser https." });
  if (issuer.search || issuer.hash) errors.push({ path: '/issuer', message: "L'émetteur ne doit contenir ni paramètres ni ancre." });
  if (!settings.scopes.split(/\s+/).includes('openid')) errors.push({ path: '/scopes', message: 'Les portées doivent inclure « openid ».' });
  if (settings.enabled && !settings.clientSecret) errors.push({ path: '/clientSecret', message: 'Le secret client est obligatoire pour activer la connexion.' });
  if (errors.length) throw new InputError(errors);
  return settings;
}

/** The OIDC settings of a tenant, or undefined when none are saved. */
export async function loadOidcSettings(em: EntityManager, tenantId: string): Promise<OidcSettings | undefined> {
  // Refreshed: settings saved earlier through the same EntityManager must not come back from its identity map.
  const row = await em.findOne(TenantOidc, { tenant: tenantId }, { refresh: true });
  if (!row) return undefined;
  const clientSecret = row.clientSecret ? decryptSecret(row.clientSecret, oidcSecretContext(tenantId)) : undefined;
  return { enabled: row.enabled, issuer: row.issuer, clientId: row.clientId, clientSecret, scopes: row.scopes, label: row.label };
}

/** Saves validated settings, the client secret encrypted (RELAIS_ENCRYPTION_KEY); an empty secret keeps the stored one. */
export async function saveOidcSettings(em: EntityManager, tenantId: string, value: unknown): Promise<OidcSettings> {
  const current = await loadOidcSettings(em, tenantId);
  const input = value && typeof value === 'object' ? { ...(value as Record<string, unknown>) } : value;
  if (input && typeof input === 'object' && !(input as OidcSettings).clientSecret && current?.clientSecret) (input as OidcSettings).clientSecret = current.clientSecret;
  const settings = validateOidcSettings(input);
  await em.upsert(TenantOidc, {
    tenant: tenantId,
    enabled: settings.enabled,
    issuer: settings.issuer,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret ? encryptSecret(settings.clientSecret, oidcSecretContext(tenantId)) : null,
    scopes: settings.scopes,
    label: settings.label,
    updatedAt: raw('now()'),
  });
  return settings;
}

/** The provider operations the flow needs; tests replace them, the app uses openid-client. */
export interface OidcProvider {
  authorizationUrl(settings: OidcSettings, params: Record<string, string>): Promise<URL>;
  /** Exchanges the code, checking state, nonce and PKCE; returns the verified identity claims. */
  exchange(settings: OidcSettings, callbackUrl: URL, checks: { expectedState: string; expectedNonce: string; pkceCodeVerifier: string }): Promise<Record<string, unknown>>;
}

const configurations = new Map<string, Promise<oidc.Configuration>>();

function configurationFor(settings: OidcSettings): Promise<oidc.Configuration> {
  const key = `${settings.issuer}|${settings.clientId}`;
  let config = configurations.get(key);
  if (!config) {
    const issuer = new URL(settings.issuer);
    config = oidc.discovery(issuer, settings.clientId, settings.clientSecret, undefined, {
      execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
    });
    configurations.set(key, config);
    config.catch(() => configurations.delete(key));
  }
  return config;
}

/** The real provider: discovery, authorization URL with PKCE, code grant, and ProConnect's signed userinfo. */
export const openIdClientProvider: OidcProvider = {
  async authorizationUrl(settings, params) {
    return oidc.buildAuthorizationUrl(await configurationFor(settings), params);
  },
  async exchange(settings, callbackUrl, checks) {
    const config = await configurationFor(settings);
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { ...checks, idTokenExpected: true });
    const claims: Record<string, unknown> = { ...tokens.claims() };
    // ProConnect puts e-mail and names in the userinfo response, not the ID token.
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub));
    return { ...claims, ...userinfo };
  },
};

/** Starts a login at the tenant's provider; stores state, nonce and PKCE verifier server-side. */
export async function startOidcLogin(
  em: EntityManager,
  tenantSlug: string,
  redirectUri: string,
  provider: OidcProvider = openIdClientProvider,
): Promise<URL> {
  const { tenantId, settings } = await enabledSettings(em, tenantSlug);
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const verifier = oidc.randomPKCECodeVerifier();
  await em.nativeDelete(OidcLogin, { createdAt: { $lt: new Date(Date.now() - OIDC_LOGIN_TTL_MS) } });
  // created_at from the database's clock (column default now()), as the expiry check compares it.
  await em.insert(OidcLogin, { stateHash: hashToken(state), tenant: tenantId, nonce, codeVerifier: verifier });
  return provider.authorizationUrl(settings, {
    redirect_uri: redirectUri,
    scope: settings.scopes,
    response_type: 'code',
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    acr_values: 'eidas1',
  });
}

/** Completes a login from the provider's redirect: single-use state of this tenant, nonce, then an active agent with that e-mail. */
export async function completeOidcLogin(
  em: EntityManager,
  tenantSlug: string,
  callbackUrl: URL,
  options: { provider?: OidcProvider; userAgent?: string | null; now?: Date } = {},
): Promise<{ token: string; agentId: string }> {
  const provider = options.provider ?? openIdClientProvider;
  const now = options.now ?? new Date();
  const { tenantId, settings } = await enabledSettings(em, tenantSlug);
  const state = callbackUrl.searchParams.get('state');
  if (callbackUrl.searchParams.get('error')) throw new UnauthenticatedError("Le fournisseur d'identité a refusé la connexion.");
  if (!state) throw new UnauthenticatedError('Réponse de connexion invalide (state absent).');
  // Deleted on read: of two uses of one state, only the one whose delete removed the row goes on; a replay finds nothing.
  const where = { stateHash: hashToken(state), tenant: tenantId };
  const login = await em.findOne(OidcLogin, where);
  if (!login || (await em.nativeDelete(OidcLogin, where)) === 0) {
    throw new UnauthenticatedError('Réponse de connexion inconnue ou déjà utilisée : recommencez la connexion.');
  }
  if (now.getTime() - login.createdAt.getTime() > OIDC_LOGIN_TTL_MS) throw new UnauthenticatedError('La connexion a expiré : recommencez.');
  const claims = await provider.exchange(settings, callbackUrl, { expectedState: state, expectedNonce: login.nonce, pkceCodeVerifier: login.codeVerifier });
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  const agent = await em.findOne(Agent, { tenant: tenantId, email, active: true });
  await writeAudit(em, { tenantId, agentId: agent?.id, action: 'auth.login_oidc', target: email || null, outcome: agent ? 'ok' : 'refused' });
  if (!agent) throw new UnauthenticatedError("Aucun compte agent actif ne correspond à cette identité : contactez l'administrateur de la commune.");
  const token = await createSession(em, tenantId, agent.id, { via: 'oidc', userAgent: options.userAgent, now });
  return { token, agentId: agent.id };
}

/** The tenant's public OIDC button label when OIDC is enabled. */
export async function oidcButton(em: EntityManager, tenantSlug: string): Promise<string | undefined> {
  const settings = await em.findOne(TenantOidc, { tenant: { slug: tenantSlug }, enabled: true }, { fields: ['label'] });
  return settings?.label;
}

async function enabledSettings(em: EntityManager, tenantSlug: string): Promise<{ tenantId: string; settings: OidcSettings }> {
  const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);
  const settings = await loadOidcSettings(em, tenant.id);
  if (!settings?.enabled) throw new NotFoundError('OIDC is not enabled for this tenant');
  return { tenantId: tenant.id, settings };
}
