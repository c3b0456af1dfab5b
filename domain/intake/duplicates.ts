// Honest duplicates: the same contact sending the same request twice within a short window gets the first one back.
import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { normaliseContact } from '@/domain/antispam/contact';
import { RequestFingerprint } from '@/domain/entities';
import { query } from '@/domain/sql';
import type { NewRequestBody } from './schema';

/** The answer to an honest duplicate: the request already filed, without its tracking code (the contact has it). */
export interface DuplicateReceipt {
  duplicate: true;
  reference: string;
  dueAt: string;
}

/** The same contact sending the same text within this time gets the request already filed. */
export const DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

/**
 * Fingerprints are only useful within the duplicate window: those older than a day go, a batch after each API request,
 * outside the intake's locks; rows another intake is deleting are skipped rather than waited for.
 */
export async function forgetOldFingerprints(em: EntityManager): Promise<void> {
  // Raw SQL: a bounded delete by ctid with `skip locked`, which the ORM's delete cannot express.
  await query(
    em,
    `delete from request_fingerprint where ctid in (
       select ctid from request_fingerprint where created_at < now() - interval '1 day' limit 500 for update skip locked)`,
  );
}

export async function findDuplicate(em: EntityManager, tenantId: string, fingerprint: string, since: Date): Promise<DuplicateReceipt | undefined> {
  const found = await em.findOne(
    RequestFingerprint,
    { tenant: tenantId, fingerprint, createdAt: { $gt: since } },
    { populate: ['request'], fields: ['request.reference', 'request.dueAt'], orderBy: { createdAt: 'desc' } },
  );
  return found ? { duplicate: true, reference: found.request.reference, dueAt: found.request.dueAt.toISOString() } : undefined;
}

/**
 * One value per contact, topic and text, whatever the case, spacing or Unicode form: a request sent twice (double click,
 * a client retrying after a timeout) has the same fingerprint. A hash, so the table holds no readable personal data.
 */
export function requestFingerprint(input: NewRequestBody): string {
  const text = (value: string) => value.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const contacts = [input.contact.email, input.contact.phone].filter((c): c is string => !!c).map(normaliseContact).sort();
  return createHash('sha256').update(JSON.stringify([input.topic, contacts, text(input.subject), text(input.message)])).digest('hex');
}
