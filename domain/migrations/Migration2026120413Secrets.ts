import { Migration } from '@mikro-orm/migrations';
import { oidcSecretContext } from '@/domain/auth/oidc-secret';
import { ENVELOPE_PREFIX, encryptSecret } from '@/domain/secrets/envelope';

/**
 * Encrypts the OIDC client secrets stored in clear text before secrets were encrypted at rest. Needs
 * RELAIS_ENCRYPTION_KEY only when such a row exists; without it the migration fails naming the variable.
 */
export class Migration2026120413Secrets extends Migration {
  override async up(): Promise<void> {
    const rows = await this.execute(`select tenant_id, client_secret from tenant_oidc where client_secret is not null and client_secret not like ?`, [`${ENVELOPE_PREFIX}%`]);
    for (const row of rows as Array<{ tenant_id: string; client_secret: string }>) {
      await this.execute('update tenant_oidc set client_secret = ? where tenant_id = ?', [encryptSecret(row.client_secret, oidcSecretContext(row.tenant_id)), row.tenant_id]);
    }
  }

  override async down(): Promise<void> {
    // Writing secrets back in clear text is not something a rollback should do; the encrypted values stay readable.
  }
}
