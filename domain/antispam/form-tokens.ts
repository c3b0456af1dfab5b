import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '@/domain/sql';
import { SpamRefusal } from './refusal';

/**
 * The portal form tokens already used, in PostgreSQL so that every web process sees them: one token files one request.
 * A token is claimed just before its request is filed and given back if the filing is refused (a field to correct), so
 * the citizen can send the corrected form without a new token; two posts of one token at once get one claim only.
 */
export function createFormTokenLedger(em: () => Promise<EntityManager>) {
  const key = (token: string) => createHash('sha256').update(token).digest('hex');
  return {
    /** Marks a checked token as used until it expires; SpamRefusal('token-used') if it already is. */
    async claim(token: string, expiresAt: Date): Promise<void> {
      const manager = await em();
      const claimed = await query<{ token_hash: string }>(
        manager,
        'insert into form_token_use (token_hash, expires_at) values (?, ?) on conflict (token_hash) do nothing returning token_hash',
        [key(token), expiresAt],
      );
      // Expired tokens are refused by their signed time anyway: their rows only take room.
      await query(manager, 'delete from form_token_use where expires_at < now()');
      if (!claimed.length) throw new SpamRefusal('token-used');
    },
    /** Gives a token back after its submission was refused, so the corrected form can be sent with it. */
    async release(token: string): Promise<void> {
      await query(await em(), 'delete from form_token_use where token_hash = ?', [key(token)]);
    },
  };
}

/** The ledger of used form tokens. */
export type FormTokenLedger = ReturnType<typeof createFormTokenLedger>;
