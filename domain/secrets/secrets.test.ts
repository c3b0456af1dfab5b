import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOidcSettings, saveOidcSettings } from '@/domain/auth/oidc';
import { oidcSecretContext } from '@/domain/auth/oidc-secret';
import { env, resetEnv } from '@/domain/env';
import { Migration2026120413Secrets } from '@/domain/migrations/Migration2026120413Secrets';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { checkStoredSecrets } from './check';
import { ENVELOPE_PREFIX, MissingEncryptionKeyError, SecretDecryptionError, decryptSecret, encryptSecret } from './envelope';

const key = randomBytes(32);

describe('secret envelopes (AES-256-GCM)', () => {
  it('round-trips any text, with a fresh IV every time', () => {
    for (const secret of ['un-secret-de-test-assez-long', 'é😀'.repeat(200), '']) {
      const sealed = encryptSecret(secret, 'ctx', key);
      expect(sealed.startsWith(ENVELOPE_PREFIX)).toBe(true);
      expect(decryptSecret(sealed, 'ctx', key)).toBe(secret);
    }
    expect(encryptSecret('un-secret-de-test-assez-long', 'ctx', key)).not.toContain('un-secret');
    expect(encryptSecret('même', 'ctx', key)).not.toBe(encryptSecret('même', 'ctx', key));
  });

  it('refuses a wrong key, another context, altered bytes and malformed envelopes with a clear error', () => {
    const sealed = encryptSecret('secret client', 'tenant_oidc:a', key);
    expect(() => decryptSecret(sealed, 'tenant_oidc:a', randomBytes(32))).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(sealed, 'tenant_oidc:b', key)).toThrow(/cannot be decrypted \(authentication failed\): check RELAIS_ENCRYPTION_KEY/);
    const [iv, tag, body] = sealed.slice(ENVELOPE_PREFIX.length).split(':');
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[bytes.length - 1] ^= 1;
      return bytes.toString('base64url');
    };
    for (const altered of [[flip(iv), tag, body], [iv, flip(tag), body], [iv, tag, flip(body)], [iv, tag, `${body}AA`]]) {
      expect(() => decryptSecret(`${ENVELOPE_PREFIX}${altered.join(':')}`, 'tenant_oidc:a', key)).toThrow(SecretDecryptionError);
    }
    for (const malformed of ['secret client', `${ENVELOPE_PREFIX}`, `${ENVELOPE_PREFIX}a:b`, `${ENVELOPE_PREFIX}${iv}:${tag.slice(2)}:${body}`, `${ENVELOPE_PREFIX}${iv}:${tag}:${body}:x`, `${ENVELOPE_PREFIX}!!:${tag}:${body}`]) {
      expect(() => decryptSecret(malformed, 'tenant_oidc:a', key), malformed).toThrow(SecretDecryptionError);
    }
  });
});

describe('the OIDC client secret at rest', () => {
  let tenantId: string;
  const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();

  beforeAll(async () => {
    const tenant = await createTestTenant();
    [{ id: tenantId }] = await query<{ id: string }>(await em(), 'select id from tenant where slug = ?', [tenant.slug]);
  });

  afterAll(() => closeAllORMs());

  it('is stored encrypted and read back in clear', async () => {
    await saveOidcSettings(await em(), tenantId, { enabled: true, issuer: 'https://idp.example', clientId: 'relais', clientSecret: 'le-secret-du-client' });
    const [row] = await query<{ client_secret: string }>(await em(), 'select client_secret from tenant_oidc where tenant_id = ?', [tenantId]);
    expect(row.client_secret.startsWith(ENVELOPE_PREFIX)).toBe(true);
    expect(row.client_secret).not.toContain('le-secret-du-client');
    expect((await loadOidcSettings(await em(), tenantId))?.clientSecret).toBe('le-secret-du-client');
  });

  it('migrates a clear-text row, and leaves encrypted rows alone', async () => {
    await query(await em(), 'update tenant_oidc set client_secret = ? where tenant_id = ?', ['secret-en-clair', tenantId]);
    const orm = await initORM(env().DATABASE_URL!);
    const migration = new Migration2026120413Secrets(orm.em.getDriver(), orm.config);
    await migration.up();
    const [once] = await query<{ client_secret: string }>(await em(), 'select client_secret from tenant_oidc where tenant_id = ?', [tenantId]);
    expect(decryptSecret(once.client_secret, oidcSecretContext(tenantId))).toBe('secret-en-clair');
    await migration.up();
    const [twice] = await query<{ client_secret: string }>(await em(), 'select client_secret from tenant_oidc where tenant_id = ?', [tenantId]);
    expect(twice.client_secret).toBe(once.client_secret);
  });

  it('fails the start check naming the variable when the key is missing or wrong', async () => {
    const saved = process.env.RELAIS_ENCRYPTION_KEY;
    try {
      delete process.env.RELAIS_ENCRYPTION_KEY;
      resetEnv();
      await expect(checkStoredSecrets(await em())).rejects.toThrow(MissingEncryptionKeyError);
      await expect(checkStoredSecrets(await em())).rejects.toThrow(/^RELAIS_ENCRYPTION_KEY is not set/);
      process.env.RELAIS_ENCRYPTION_KEY = randomBytes(32).toString('base64');
      resetEnv();
      await expect(checkStoredSecrets(await em())).rejects.toThrow(/check RELAIS_ENCRYPTION_KEY/);
      process.env.RELAIS_ENCRYPTION_KEY = 'trop-court';
      resetEnv();
      expect(() => env()).toThrow(/RELAIS_ENCRYPTION_KEY: must be 32 random bytes in base64/);
    } finally {
      process.env.RELAIS_ENCRYPTION_KEY = saved;
      resetEnv();
    }
    await expect(checkStoredSecrets(await em())).resolves.toBeUndefined();
  });
});
