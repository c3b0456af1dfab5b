import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { importTenant, validateTenantConfig, type TenantConfig } from '@/domain/tenant-config/import';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { callRoute } from '@/temporal/testing/helpers';
import { InputError } from '@/domain/validation';
import { GET } from './route';

afterAll(() => closeAllORMs());

function minimalConfig(slug: string, lists: TenantConfig['lists']): TenantConfig {
  return {
    slug,
    name: `Commune ${slug}`,
    settings: { organisation: 'decentralised' },
    departments: [{ slug: 'accueil', name: 'Accueil' }],
    topics: [{ slug: 'question', label: 'Question', department: 'accueil', delay: 'P15D' }],
    lists,
  };
}

describe('GET /api/v1/t/{tenant}/lists', () => {
  it('gives the demo tenant’s public lists in order, without the internal one', async () => {
    const response = await callRoute(GET, { tenant: 'demo' });
    expect(response.status).toBe(200);
    const lists = (await response.json()) as Array<{ slug: string; label: string; description: string; channels: string[] }>;
    expect(lists.map((l) => l.slug)).toEqual(['meteo', 'securite', 'cantine', 'infos']);
    expect(lists[0]).toEqual({ slug: 'meteo', label: 'Alertes météo', description: expect.stringMatching(/vigilance/i), channels: ['email', 'sms'] });
    expect(lists.find((l) => l.slug === 'cantine')!.channels).toEqual(['email']);
    expect(Object.keys(lists[0]).sort()).toEqual(['channels', 'description', 'label', 'slug']);
  });

  it('answers 404 for an unknown tenant and an empty array for a tenant without lists', async () => {
    expect((await callRoute(GET, { tenant: 'commune-inconnue' })).status).toBe(404);
    const tenant = await createTestTenant();
    const response = await callRoute(GET, { tenant: tenant.slug });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  it('follows a re-imported file: a list changed in place, one made internal, none duplicated', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const slug = `l-${Date.now().toString(36)}`;
    await importTenant(orm, minimalConfig(slug, [
      { slug: 'travaux', label: 'Travaux', channels: ['sms'] },
      { slug: 'fetes', label: 'Fêtes', channels: ['email', 'sms'], description: 'Les fêtes' },
    ]));
    await importTenant(orm, minimalConfig(slug, [
      { slug: 'travaux', label: 'Travaux et voirie', channels: ['sms', 'email'] },
      { slug: 'fetes', label: 'Fêtes', channels: ['email'], public: false },
    ]));
    const lists = await (await callRoute(GET, { tenant: slug })).json();
    expect(lists).toEqual([{ slug: 'travaux', label: 'Travaux et voirie', description: '', channels: ['email', 'sms'] }]);
  });

  it('refuses a file with a list twice, an unknown channel or no channel, in French', () => {
    const bad = (lists: unknown) => () => validateTenantConfig(minimalConfig('x-test', lists as TenantConfig['lists']));
    expect(bad([{ slug: 'a', label: 'A', channels: ['sms'] }, { slug: 'a', label: 'B', channels: ['sms'] }])).toThrow(/apparaît deux fois/);
    expect(bad([{ slug: 'a', label: 'A', channels: ['fax'] }])).toThrow(InputError);
    expect(bad([{ slug: 'a', label: 'A', channels: [] }])).toThrow(InputError);
    expect(bad([{ slug: 'A B', label: 'A', channels: ['sms'] }])).toThrow(InputError);
  });
});
