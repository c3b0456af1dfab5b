import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corsDecision, publicApiTenant } from './cors';
import { contentSecurityPolicy, securityHeaders } from './security-headers';

const OWN = ['https://relais.ville.fr'];
const ALLOWED = ['https://www.ville.fr'];

describe('CORS of the public API', () => {
  it('knows the public API of a tenant from the agent API and everything else', () => {
    expect(publicApiTenant('/api/v1/t/demo/requests')).toBe('demo');
    expect(publicApiTenant('/api/v1/t/demo/forms/acte/requests')).toBe('demo');
    expect(publicApiTenant('/api/v1/t/demo')).toBe('demo');
    expect(publicApiTenant('/api/v1/t/demo/agent/session')).toBeUndefined();
    expect(publicApiTenant('/api/v1/t/demo/agent')).toBeUndefined();
    expect(publicApiTenant('/api/health')).toBeUndefined();
    expect(publicApiTenant('/t/demo/question')).toBeUndefined();
  });

  it('answers the preflight of a listed origin, with that origin only', () => {
    const decision = corsDecision('OPTIONS', 'https://www.ville.fr', OWN, ALLOWED);
    expect(decision).toEqual({
      kind: 'preflight',
      headers: { vary: 'Origin', 'access-control-allow-origin': 'https://www.ville.fr', 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'Content-Type', 'access-control-max-age': '600' },
    });
    expect(corsDecision('POST', 'https://www.ville.fr', OWN, ALLOWED)).toEqual({ kind: 'pass', headers: { vary: 'Origin', 'access-control-allow-origin': 'https://www.ville.fr' } });
  });

  it('lets servers and the portal itself through without CORS headers', () => {
    expect(corsDecision('POST', null, OWN, [])).toEqual({ kind: 'pass', headers: { vary: 'Origin' } });
    expect(corsDecision('POST', 'https://relais.ville.fr', OWN, [])).toEqual({ kind: 'pass', headers: { vary: 'Origin' } });
  });

  it('never grants an origin that is not listed, whatever the method and origin text', () => {
    fc.assert(
      fc.property(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), fc.oneof(fc.webUrl().map((u) => new URL(u).origin), fc.string({ maxLength: 200 }), fc.constant('null'), fc.constant('https://www.ville.fr.evil.example'), fc.constant('https://www.ville.fr:443'), fc.constant('HTTPS://WWW.VILLE.FR')), (method, origin) => {
        fc.pre(origin !== '' && !ALLOWED.includes(origin) && !OWN.includes(origin));
        const decision = corsDecision(method, origin, OWN, ALLOWED);
        if (decision.kind === 'refuse') {
          expect(decision.status).toBe(403);
          expect(decision.error).toMatch(/n’est pas autorisé/);
        } else {
          expect(decision.kind).toBe('pass');
          expect(['GET', 'HEAD']).toContain(method);
          expect(decision.headers).not.toHaveProperty('access-control-allow-origin');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('security headers', () => {
  it('sends HSTS and upgrades mixed content only behind https', () => {
    expect(securityHeaders({ nonce: 'abc', https: true, frameAncestors: 'none' })).toMatchObject({ 'strict-transport-security': 'max-age=31536000', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' });
    expect(securityHeaders({ nonce: 'abc', https: false, frameAncestors: 'none' })).not.toHaveProperty('strict-transport-security');
    expect(contentSecurityPolicy({ nonce: 'abc', https: true, frameAncestors: 'none' })).toContain('upgrade-insecure-requests');
  });

  it('lets a tenant’s sites frame its portal, nobody frame the rest', () => {
    expect(contentSecurityPolicy({ nonce: 'n', https: false, frameAncestors: ['https://www.ville.fr'] })).toContain("frame-ancestors 'self' https://www.ville.fr");
    expect(contentSecurityPolicy({ nonce: 'n', https: false, frameAncestors: 'none' })).toContain("frame-ancestors 'none'");
    expect(contentSecurityPolicy({ nonce: 'n', https: false, frameAncestors: 'none' })).toContain("script-src 'self' 'nonce-n' 'strict-dynamic'; ");
  });
});
