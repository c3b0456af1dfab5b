import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { env } from '@/domain/env';

/** Marks a value encrypted by this module; the version lets a later format or key rotation coexist with this one. */
export const ENVELOPE_PREFIX = 'enc:v1:';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stored secret needs the encryption key and the environment has none. */
export class MissingEncryptionKeyError extends Error {
  constructor() {
    super('RELAIS_ENCRYPTION_KEY is not set: it is needed to read and write secrets stored in the database (generate one with `openssl rand -base64 32`).');
    this.name = 'MissingEncryptionKeyError';
  }
}

/** An envelope that does not open with this key: wrong key, altered ciphertext, or a value moved from another row. */
export class SecretDecryptionError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`A stored secret cannot be decrypted (${reason}): check RELAIS_ENCRYPTION_KEY.`, options);
    this.name = 'SecretDecryptionError';
  }
}

/** The key from RELAIS_ENCRYPTION_KEY (validated as 32 bytes by domain/env.ts). */
export function encryptionKey(): Buffer {
  const value = env().RELAIS_ENCRYPTION_KEY;
  if (!value) throw new MissingEncryptionKeyError();
  return Buffer.from(value, 'base64');
}

/** True when a stored value is an envelope rather than legacy clear text. */
export function isEnvelope(value: string): boolean {
  return value.startsWith(ENVELOPE_PREFIX);
}

/**
 * Encrypts with AES-256-GCM and a random 96-bit IV. `context` (e.g. `tenant_oidc:<tenant id>`) is authenticated
 * but not stored, so an envelope copied to another row does not open there.
 */
export function encryptSecret(plain: string, context: string, key: Buffer = encryptionKey()): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${ENVELOPE_PREFIX}${[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url')).join(':')}`;
}

/** Opens an envelope made by encryptSecret with the same context; anything else throws SecretDecryptionError. */
export function decryptSecret(envelope: string, context: string, key: Buffer = encryptionKey()): string {
  if (!isEnvelope(envelope)) throw new SecretDecryptionError('not an encrypted value');
  const parts = envelope.slice(ENVELOPE_PREFIX.length).split(':');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) throw new SecretDecryptionError('malformed envelope');
  const [iv, tag, ciphertext] = parts.map((part) => Buffer.from(part, 'base64url'));
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError('malformed envelope');
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new SecretDecryptionError('authentication failed', { cause: error });
  }
}
