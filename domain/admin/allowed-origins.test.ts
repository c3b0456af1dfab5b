import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '@/domain/audit/log';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { validateTenantConfig } from '@/domain/tenant-config/import';
import { InputError } from '@/domain/validation';
import { agentContext, createTestTenant } from '@/temporal/testing/fixtures';
import { ORIGIN_PATTERN, loadAllowedOrigins, parseAllowedOrigins, saveAllowedOrigins } from './allowed-origins';

let ctx: { tenantId: string; agentId: string };
let config: Awaited<ReturnType<typeof createTestTenant>>['config'];
const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();

beforeAll(async () => {
  const tenant = await createTestTenant();
  config = tenant.config;
  ctx = await agentContext(tenant.slug, tenant.mail('admin'));
});
afterAll(() => closeAllORMs());

const errorsOf = (value: unknown) => {
  try {
    parseAllowedOrigins(value);
    return [];
  } catch (error) {
    return (error as InputError).errors;
  }
};

describe('the origins a municipality allows', () => {
  it('reads one origin per line, as browsers send them', () => {
    expect(parseAllowedOrigins(' https://www.ville.fr/\nhttps://Demarches.Ville.fr:8443\n\nhttps://www.ville.fr, http://localhost:8080')).toEqual([
      'https://www.ville.fr',
      'https://demarches.ville.fr:8443',
      'http://localhost:8080',
    ]);
    expect(parseAllowedOrigins('')).toEqual([]);
    expect(parseAllowedOrigins(['https://www.ville.fr'])).toEqual(['https://www.ville.fr']);
  });

  it('refuses paths, plain http, credentials, other schemes and more than 20 sites, in French', () => {
    for (const bad of ['https://www.ville.fr/contact', 'http://www.ville.fr', 'https://user:pw@www.ville.fr', 'javascript:alert(1)', 'www.ville.fr', 'https://www.ville.fr?x=1', '*']) {
      expect(errorsOf(bad), bad).toEqual([{ path: '/allowedOrigins', message: expect.stringMatching(/n’est pas l’adresse d’un site en https/) }]);
    }
    const many = Array.from({ length: 21 }, (_, i) => `https://site${i}.ville.fr`).join('\n');
    expect(errorsOf(many)).toEqual([{ path: '/allowedOrigins', message: '20 sites au plus.' }]);
    expect(errorsOf(42)).toEqual([{ path: '/allowedOrigins', message: 'Saisissez une adresse de site par ligne (https://…).' }]);
  });

  it('either refuses hostile text with a field error or keeps only well-formed origins', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.array(fc.oneof(fc.webUrl(), fc.string()), { maxLength: 25 })), (value) => {
        try {
          for (const origin of parseAllowedOrigins(value)) expect(origin).toMatch(ORIGIN_PATTERN);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('is saved in the tenant settings with an audit entry, and the tenant file format checks it too', async () => {
    await saveAllowedOrigins(await em(), ctx, { allowedOrigins: 'https://www.commune.fr\nhttps://www.commune.fr/' });
    expect(await loadAllowedOrigins(await em(), ctx.tenantId)).toEqual(['https://www.commune.fr']);
    await expect(saveAllowedOrigins(await em(), ctx, { allowedOrigins: 'https://www.commune.fr/page' })).rejects.toThrow(InputError);
    expect(await loadAllowedOrigins(await em(), ctx.tenantId)).toEqual(['https://www.commune.fr']);
    const [entry] = await listAudit(await em(), ctx.tenantId, { limit: 1 });
    expect(entry).toMatchObject({ action: 'admin.allowed-origins.update', target: 'settings' });

    expect(validateTenantConfig({ ...config, settings: { ...config.settings, allowedOrigins: ['https://www.commune.fr'] } }).settings.allowedOrigins).toEqual(['https://www.commune.fr']);
    expect(() => validateTenantConfig({ ...config, settings: { ...config.settings, allowedOrigins: ['https://www.commune.fr/page'] } })).toThrow();
    expect(() => validateTenantConfig({ ...config, settings: { ...config.settings, allowedOrigins: ['http://www.commune.fr'] } })).toThrow();
  });
});
