import { createHmac } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { relaisSecret } from '@/domain/secrets/relais-secret';
import { PHONE_ERROR, tryParsePhone } from '@/domain/contact/phone';
import { query } from '@/domain/sql';
import { InputError, compileValidator } from '@/domain/validation';

/** The person a data protection request is about: one e-mail address or one phone number (E.164). */
export type PersonKey = { kind: 'email'; value: string } | { kind: 'phone'; value: string };

const validatePerson = compileValidator<{ email?: string; phone?: string }>({
  type: 'object',
  properties: {
    email: { type: 'string', maxLength: 320, format: 'email', errorMessage: 'Adresse électronique invalide (ex. jeanne.dupont@exemple.fr).' },
    phone: { type: 'string', maxLength: 40, format: 'phone', errorMessage: PHONE_ERROR },
  },
});

/** Reads `{email}` or `{phone}` (exactly one) from a request body; a phone is matched in E.164, as stored. */
export function parsePersonKey(body: unknown): PersonKey {
  const input = validatePerson(body);
  const email = input.email?.trim();
  const phone = input.phone?.trim();
  if (email && phone) throw new InputError([{ path: '/email', message: 'Cherchez par adresse électronique ou par téléphone, pas les deux à la fois.' }]);
  if (email) return { kind: 'email', value: email.toLowerCase() };
  if (phone) {
    const e164 = tryParsePhone(phone);
    if (!e164) throw new InputError([{ path: '/phone', message: PHONE_ERROR }]);
    return { kind: 'phone', value: e164 };
  }
  throw new InputError([{ path: '/email', message: 'Saisissez l’adresse électronique ou le numéro de téléphone de la personne.' }]);
}

/** The identifier as the audit trail may show it: `j•••@exemple.fr`, `+33 6•• •• •• 78`. */
export function maskPersonKey(key: PersonKey): string {
  if (key.kind === 'email') {
    const [local, domain] = key.value.split('@');
    return `${local.charAt(0)}•••@${domain}`;
  }
  return `${key.value.slice(0, 4)}•••••${key.value.slice(-2)}`;
}

/**
 * A keyed hash of the identifier, so audit entries about the same person can be matched without holding the address:
 * a plain hash of a phone number is reversed by trying the billion numbers.
 */
export function fingerprintPersonKey(tenantId: string, key: PersonKey): string {
  return createHmac('sha256', relaisSecret()).update(`${tenantId}:${key.kind}:${key.value}`).digest('hex').slice(0, 32);
}

/** What the audit trail records of the person: never the address or the number in clear. */
export function auditedPerson(tenantId: string, key: PersonKey): { kind: string; masked: string; fingerprint: string } {
  return { kind: key.kind, masked: maskPersonKey(key), fingerprint: fingerprintPersonKey(tenantId, key) };
}


/** Ids of the tenant's requests whose citizen has this e-mail address or phone number. */
export async function requestIdsOf(em: EntityManager, tenantId: string, key: PersonKey): Promise<string[]> {
  if (key.kind === 'email') {
    const rows = await query<{ id: string }>(em, `select id from request where tenant_id = ? and lower(citizen->>'email') = ? order by received_at`, [tenantId, key.value]);
    return rows.map((r) => r.id);
  }
  // Phone numbers are stored in E.164 from intake on (request_citizen_phone_idx).
  const rows = await query<{ id: string }>(em, `select id from request where tenant_id = ? and citizen->>'phone' = ? order by received_at`, [tenantId, key.value]);
  return rows.map((r) => r.id);
}

/**
 * Rows of a tenant's message log (`table.column` holds the address) that belong to the person: those of their requests,
 * and those sent to or received from their address without a request (STOP, refused SMS, subscription messages).
 */
export async function addressedRows(em: EntityManager, tenantId: string, key: PersonKey, requestIds: string[], table: 'notification' | 'sms_message' | 'sms_inbound' | 'inbound_email', column: string): Promise<string[]> {
  const ids = `{${requestIds.join(',')}}`;
  // Which tables can hold this kind of address outside a request: e-mail addresses for notifications and inbound
  // e-mail, numbers for notifications and SMS. Otherwise only the rows of the person's requests belong to them.
  const holdsAddress = key.kind === 'email' ? ['notification', 'inbound_email'].includes(table) : table !== 'inbound_email';
  if (!holdsAddress) {
    const rows = await query<{ id: string }>(em, `select id from ${table} where tenant_id = ? and request_id = any(?::uuid[])`, [tenantId, ids]);
    return rows.map((r) => r.id);
  }
  const matches = key.kind === 'email' ? `lower(${column}) = ?` : `${column} = ?`;
  const rows = await query<{ id: string }>(em, `select id from ${table} where tenant_id = ? and (request_id = any(?::uuid[]) or ${matches})`, [tenantId, ids, key.value]);
  return rows.map((r) => r.id);
}
