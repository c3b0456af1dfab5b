import type { EntityManager } from '@mikro-orm/postgresql';
import { oidcSecretContext } from '@/domain/auth/oidc-secret';
import { query } from '@/domain/sql';
import { decryptSecret } from './envelope';

/**
 * Fails at start when secrets are stored and RELAIS_ENCRYPTION_KEY is missing or is not the key they were
 * encrypted with, instead of failing at the first OIDC login.
 */
export async function checkStoredSecrets(em: EntityManager): Promise<void> {
  const [row] = await query<{ tenant_id: string; client_secret: string }>(em, 'select tenant_id, client_secret from tenant_oidc where client_secret is not null limit 1');
  if (row) decryptSecret(row.client_secret, oidcSecretContext(row.tenant_id));
}
