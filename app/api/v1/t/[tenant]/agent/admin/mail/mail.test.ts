import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { imapConnectionOf, type ImapSettings } from '@/domain/mail/imap-settings';
import { closeAllORMs, initORM } from '@/domain/orm';
import { isEnvelope } from '@/domain/secrets/envelope';
import { query } from '@/domain/sql';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { call, sessionFor, setPassword } from '@/app/console/_server/testing';
import { GET, PUT } from './route';

let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let other: Awaited<ReturnType<typeof createTestTenant>>;
let admin: string;
const domain = () => env().INBOUND_MAIL_DOMAIN.toLowerCase();
const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
const row = async (slug = tenant.slug) =>
  (await query<{ id: string; mail: Record<string, unknown> & { imap?: ImapSettings } | null }>(await em(), `select id, settings->'mail' as mail from tenant where slug = ?`, [slug]))[0];
const audits = async () =>
  query<{ data: unknown }>(await em(), `select l.data from audit_log l join tenant t on t.id = l.tenant_id where t.slug = ? and l.action = 'admin.mail.update' order by l.at`, [tenant.slug]);
const put = (body: unknown, cookie = admin, slug = tenant.slug) => call(PUT, { tenant: slug }, { method: 'PUT', cookie, body: typeof body === 'string' ? body : JSON.stringify(body) });

const valid = {
  addresses: ['mairie@ville-exemple.fr', 'accueil@ville-exemple.fr'],
  defaultTopic: 'question',
  keywordRules: [{ topic: 'acte', keywords: ['naissance', 'acte de mariage'] }],
  acknowledgeBySms: true,
  acknowledgementsPerHour: 3,
  imap: { url: 'imaps://imap.ville-exemple.fr:993', user: 'mairie@ville-exemple.fr', password: 'secret-imap-1', mailbox: 'INBOX', importedFolder: 'Relais/Importés' },
};

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  for (const who of ['admin', 'agent']) await setPassword(tenant.slug, tenant.mail(who), 'mot-de-passe-de-test');
  admin = await sessionFor(tenant.slug, tenant.mail('admin'));
});
afterAll(() => closeAllORMs());

describe('inbound e-mail settings', () => {
  it('lists the Relais addresses of the tenant and its active topics, with the defaults', async () => {
    const response = await call(GET, { tenant: tenant.slug }, { cookie: admin });
    expect(response.status).toBe(200);
    const view = await response.json();
    expect(view.relaisAddresses.map((a: { address: string }) => a.address)).toEqual([`${tenant.slug}@${domain()}`, `question.${tenant.slug}@${domain()}`, `acte.${tenant.slug}@${domain()}`]);
    expect(view).toMatchObject({ addresses: [], keywordRules: [], acknowledgeBySms: false, acknowledgementsPerHour: 5, imap: null });
  });

  it('saves valid settings, seals the password, never returns nor audits it, and keeps it when left empty', async () => {
    const saved = await put(valid);
    expect(saved.status).toBe(200);
    const stored = (await row()).mail!;
    expect(stored.addresses).toEqual(valid.addresses);
    expect(stored.keywordRules).toEqual(valid.keywordRules);
    expect(isEnvelope(stored.imap!.password!)).toBe(true);
    const { id } = await row();
    expect(imapConnectionOf(id, stored.imap!).password).toBe('secret-imap-1');

    const text = await (await call(GET, { tenant: tenant.slug }, { cookie: admin })).text();
    expect(text).not.toContain('secret-imap-1');
    expect(text).not.toContain(stored.imap!.password!);
    expect(JSON.parse(text).imap).toMatchObject({ url: valid.imap.url, hasPassword: true });
    const trail = JSON.stringify(await audits());
    expect(trail).not.toContain('secret-imap-1');
    expect(trail).not.toContain(stored.imap!.password!);

    // Password left empty ("inchangé"): the same envelope stays, other fields change.
    const again = await put({ ...valid, acknowledgementsPerHour: 0, imap: { ...valid.imap, password: '', user: 'autre' } });
    expect(again.status).toBe(200);
    const kept = (await row()).mail!;
    expect(kept.imap!.password).toBe(stored.imap!.password);
    expect(kept.imap!.user).toBe('autre');
    expect(kept.acknowledgementsPerHour).toBe(0);

    // Removing the mailbox.
    expect((await put({ ...valid, imap: null })).status).toBe(200);
    expect((await row()).mail!.imap).toBeUndefined();
  });

  it.each([
    ['/addresses/0', { addresses: ['pas une adresse'] }],
    ['/addresses/0', { addresses: [`mairie@${env().INBOUND_MAIL_DOMAIN}`] }],
    ['/addresses/1', { addresses: ['a@ville.fr', 'A@ville.fr'] }],
    ['/defaultTopic', { defaultTopic: 'inconnu' }],
    ['/keywordRules/0/topic', { keywordRules: [{ topic: 'inconnu', keywords: ['naissance'] }] }],
    ['/keywordRules/0/keywords/0', { keywordRules: [{ topic: 'acte', keywords: ['x'] }] }],
    ['/keywordRules/0/keywords', { keywordRules: [{ topic: 'acte', keywords: [] }] }],
    ['/acknowledgeBySms', { acknowledgeBySms: 'oui' }],
    ['/acknowledgementsPerHour', { acknowledgementsPerHour: 1001 }],
    ['/acknowledgementsPerHour', { acknowledgementsPerHour: -1 }],
    ['/imap/url', { imap: { ...valid.imap, url: 'https://imap.ville.fr' } }],
    ['/imap/url', { imap: { ...valid.imap, url: 'imaps://u:p@imap.ville.fr' } }],
    ['/imap/user', { imap: { ...valid.imap, user: '' } }],
    ['/imap/importedFolder', { imap: { ...valid.imap, importedFolder: 'INBOX' } }],
    ['/imap', { imap: 'boîte' }],
    ['/extra', { extra: true }],
  ])('refuses %s with a French error and writes nothing', async (path, change) => {
    const before = await row();
    const count = (await audits()).length;
    const response = await put({ ...valid, ...change });
    expect(response.status).toBe(400);
    const { errors } = await response.json();
    expect(errors.map((e: { path: string }) => e.path)).toContain(path);
    for (const e of errors as Array<{ message: string }>) expect(e.message).toMatch(/[a-zàâçéèêëîïôûù]/i);
    expect(JSON.stringify(errors)).not.toMatch(/must|should|required property/);
    expect(await row()).toEqual(before);
    expect((await audits()).length).toBe(count);
  });

  it('refuses an address another tenant already declared', async () => {
    const otherAdmin = await (async () => {
      await setPassword(other.slug, other.mail('admin'), 'mot-de-passe-de-test');
      return sessionFor(other.slug, other.mail('admin'));
    })();
    expect((await put({ addresses: ['prise@ville-exemple.fr'] }, otherAdmin, other.slug)).status).toBe(200);
    const before = await row();
    const response = await put({ ...valid, addresses: ['Prise@ville-exemple.fr'] });
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([{ path: '/addresses/0', message: expect.stringContaining(`déjà déclarée par la commune « ${other.slug} »`) }]);
    expect(await row()).toEqual(before);
  });

  it('refuses other agents and other tenants', async () => {
    const agent = await sessionFor(tenant.slug, tenant.mail('agent'));
    expect((await put(valid, agent)).status).toBe(403);
    expect((await call(GET, { tenant: tenant.slug }, { cookie: agent })).status).toBe(403);
    const before = await row(other.slug);
    expect([403, 404]).toContain((await put(valid, admin, other.slug)).status);
    expect([403, 404]).toContain((await call(GET, { tenant: other.slug }, { cookie: admin })).status);
    expect(await row(other.slug)).toEqual(before);
  });

  it('answers hostile addresses and keywords with a 200 or a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string(), fc.emailAddress(), fc.jsonValue()), { maxLength: 25 }),
        fc.array(fc.record({ topic: fc.oneof(fc.constantFrom('acte', 'question'), fc.string()), keywords: fc.array(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.jsonValue()), { maxLength: 25 }) }), { maxLength: 3 }),
        async (addresses, keywordRules) => {
          const response = await put({ ...valid, addresses, keywordRules });
          expect([200, 400]).toContain(response.status);
          if (response.status === 400) expect((await response.json()).errors.length).toBeGreaterThan(0);
          else {
            const stored = (await row()).mail!;
            for (const a of stored.addresses as string[]) expect(a.toLowerCase().endsWith(`@${domain()}`)).toBe(false);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
