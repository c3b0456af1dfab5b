import { env } from '@/domain/env';

/** The web process needs RELAIS_SECRET and the environment has none. */
export class MissingRelaisSecretError extends Error {
  constructor() {
    super('RELAIS_SECRET is not set: it signs the portal’s form tokens and keys the audit trail’s person fingerprints (generate one with `openssl rand -hex 32`).');
    this.name = 'MissingRelaisSecretError';
  }
}

/**
 * The key signing form tokens and person fingerprints. Never derived from another setting: a key computed from
 * DATABASE_URL is known to anyone who reads the compose file. `npm start` and the test stack set a random one.
 */
export function relaisSecret(): string {
  const value = env().RELAIS_SECRET;
  if (!value) throw new MissingRelaisSecretError();
  return value;
}
