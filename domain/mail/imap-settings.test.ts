import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { decryptSecret } from '@/domain/secrets/envelope';
import { query } from '@/domain/sql';
import { importTenant, validateTenantConfig, type TenantConfig } from '@/domain/tenant-config/import';
import { InputError } from '@/domain/validation';
import { imapConnectionOf, imapSecretContext, imapUrlProblem, type ImapSettings } from './imap-settings';

afterAll(() => closeAllORMs());

const demo = JSON.parse(fs.readFileSync(path.join('domain', 'tenant-config', 'demo-tenant.json'), 'utf8')) as TenantConfig;

function withImap(imap: unknown, slug = demo.slug): TenantConfig {
  const config = structuredClone(demo);
  // No agents and no host names: nothing to hash, nothing shared with the demo tenant.
  return { ...config, slug, hostnames: [], agents: [], settings: { ...config.settings, mail: { imap: imap as ImapSettings } } };
}

function errorsOf(config: unknown) {
  try {
    validateTenantConfig(config);
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.errors;
    throw error;
  }
}

const good = { url: 'imaps://imap.ville-demo.fr:993', user: 'mairie@ville-demo.fr', password: 'secret' };

describe('IMAP settings in a tenant file', () => {
  it('accepts imap:// and imaps:// servers, with or without a port', () => {
    for (const url of ['imaps://imap.ville-demo.fr:993', 'imap://127.0.0.1:1143', 'imaps://imap.ville-demo.fr', 'imap://[::1]:143/']) {
      expect(errorsOf(withImap({ ...good, url })), url).toEqual([]);
    }
  });

  it('refuses a bad server address with one French message at its path', () => {
    const bad = [
      'http://imap.ville-demo.fr',
      'imap://',
      'imaps://imap.ville-demo.fr:99999',
      'imaps://mairie:secret@imap.ville-demo.fr',
      'imaps://imap.ville-demo.fr/INBOX',
      'imaps://imap.ville-demo.fr:993?x=1',
      'imaps://imap ville.fr',
      'imaps://imap.ville-demo.fr:0',
      "imaps://<script>alert('x')</script>",
      'imaps://imap.ville-demo.fr\r\nA1 LOGOUT',
      '',
    ];
    for (const url of bad) {
      const errors = errorsOf(withImap({ ...good, url }));
      expect(errors.map((e) => e.path), url).toEqual(['/settings/mail/imap/url']);
      expect(errors[0].message, url).toMatch(/serveur|identifiant|port|dossier/);
    }
  });

  it('names missing or unknown fields, and an imported folder equal to the mailbox read', () => {
    expect(errorsOf(withImap({ url: good.url })).map((e) => e.path)).toEqual(['/settings/mail/imap/user']);
    expect(errorsOf(withImap({ ...good, port: 993 })).map((e) => e.path)).toEqual(['/settings/mail/imap/port']);
    expect(errorsOf(withImap({ ...good, mailbox: 'INBOX', importedFolder: 'INBOX' }))).toEqual([
      { path: '/settings/mail/imap/importedFolder', message: 'Le dossier des messages importés doit différer de la boîte relevée.' },
    ]);
  });

  it('never throws anything but a French field error, whatever the URL', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.string().map((s) => `imaps://${s}`), fc.string().map((s) => `imap://imap.ville.fr:${s}`)), (url) => {
        const errors = errorsOf(withImap({ ...good, url }));
        if (errors.length === 0) {
          // Accepted means usable: the poller can build its connection from it.
          expect(imapUrlProblem(url)).toBeUndefined();
          const connection = imapConnectionOf('t', { ...good, url, password: undefined });
          expect(connection.port).toBeGreaterThan(0);
          expect(connection.port).toBeLessThan(65536);
          expect(connection.host).not.toBe('');
        } else {
          expect(errors.map((e) => e.path)).toEqual(['/settings/mail/imap/url']);
          expect(errors[0].message).toMatch(/^[A-Z]/);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('gives the poller its defaults: INBOX, Relais/Importés, the port of the scheme, the user as address', () => {
    expect(imapConnectionOf('t', { url: 'imaps://Imap.Ville.fr', user: 'Mairie@Ville.fr' })).toEqual({
      host: 'imap.ville.fr',
      port: 993,
      secure: true,
      user: 'Mairie@Ville.fr',
      password: undefined,
      mailbox: 'INBOX',
      importedFolder: ['Relais', 'Importés'],
      tlsInsecure: false,
      address: 'mairie@ville.fr',
    });
    expect(imapConnectionOf('t', { url: 'imap://[::1]', user: 'mairie', importedFolder: ' / ' })).toMatchObject({ host: '::1', port: 143, secure: false, importedFolder: ['Relais', 'Importés'], address: 'mairie@::1' });
  });
});

describe('the IMAP password at rest', () => {
  it('is stored sealed, kept unchanged by a re-import, kept when a file leaves it out, and replaced when it changes', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const slug = `imap-${Date.now()}`;
    const stored = async () => {
      const [row] = await query<{ id: string; password: string | null }>(orm.em.fork(), `select id, settings #>> '{mail,imap,password}' as password from tenant where slug = ?`, [slug]);
      return row;
    };
    const { tenantId } = await importTenant(orm, withImap(good, slug));
    const first = await stored();
    expect(first.password).toMatch(/^enc:v1:/);
    expect(first.password).not.toContain(good.password);
    expect(decryptSecret(first.password!, imapSecretContext(tenantId))).toBe(good.password);

    await importTenant(orm, withImap(good, slug));
    expect((await stored()).password).toBe(first.password);

    await importTenant(orm, withImap({ url: good.url, user: good.user }, slug));
    expect((await stored()).password).toBe(first.password);

    await importTenant(orm, withImap({ ...good, password: 'nouveau' }, slug));
    const changed = await stored();
    expect(changed.password).not.toBe(first.password);
    expect(imapConnectionOf(tenantId, { url: good.url, user: good.user, password: changed.password! }).password).toBe('nouveau');
    // Sealed for this tenant only: another tenant's id does not open it.
    expect(() => imapConnectionOf(crypto.randomUUID(), { url: good.url, user: good.user, password: changed.password! })).toThrow(/cannot be decrypted/);
  });
});
