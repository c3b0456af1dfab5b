import type { EntityManager } from '@mikro-orm/postgresql';
import { oidcSecretContext } from '@/domain/auth/oidc-secret';
import { imapSecretContext } from '@/domain/mail/imap-settings';
import { query } from '@/domain/sql';
import { decryptSecret } from './envelope';

/**
 * Fails at start when secrets are stored and RELAIS_ENCRYPTION_KEY is missing or is not the key they were
 * encrypted with, instead of failing at the first OIDC login or IMAP connection.
 */
export async function checkStoredSecrets(em: EntityManager): Promise<void> {
  const [row] = await query<{ tenant_id: string; client_secret: string }>(em, 'select tenant_id, client_secret from tenant_oidc where client_secret is not null limit 1');
  if (row) decryptSecret(row.client_secret, oidcSecretContext(row.tenant_id));
  // One JSON path probed across tenants: the ORM has no query for a key inside a json column.
  const [imap] = await query<{ id: string; password: string }>(em, `select id, settings #>> '{mail,imap,password}' as password from tenant where settings #>> '{mail,imap,password}' like 'enc:%' limit 1`);
  if (imap) decryptSecret(imap.password, imapSecretContext(imap.id));
}
