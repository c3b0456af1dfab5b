import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The encryption key of an embedded development database, kept in a file beside it (created on first use, mode
 * 600): random per checkout, never a constant a deployment could inherit, and lost only with the data it protects.
 */
export function embeddedDatabaseKey(dataDir: string): string {
  const file = path.join(dataDir, 'encryption.key');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32).toString('base64');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
