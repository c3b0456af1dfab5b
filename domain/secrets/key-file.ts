import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A random value kept in a file, created on first use (mode 600) and read back on every later start. */
function keptRandom(file: string, create: () => string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = create();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  return value;
}

/**
 * The encryption key of an embedded development database, kept in a file beside it (created on first use, mode
 * 600): random per checkout, never a constant a deployment could inherit, and lost only with the data it protects.
 */
export function embeddedDatabaseKey(dataDir: string): string {
  return keptRandom(path.join(dataDir, 'encryption.key'), () => randomBytes(32).toString('base64'));
}

/** `npm start`'s RELAIS_SECRET when none is set, kept beside the encryption key for the same reasons. */
export function developmentRelaisSecret(dataDir: string): string {
  return keptRandom(path.join(dataDir, 'relais-secret.key'), () => randomBytes(32).toString('hex'));
}
