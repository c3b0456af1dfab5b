import type { EntityManager } from '@mikro-orm/postgresql';
import { DEFAULT_REQUEST_LIMITS, requestLimitsOf, type RequestLimits } from '@/domain/antispam/request-limits';
import { writeAudit } from '@/domain/audit/log';
import { Tenant } from '@/domain/entities';
import { InputError, type FieldError } from '@/domain/validation';
import type { AdminContext } from './context';
import { formatNumber } from '@/domain/format/french';

const BOUNDS: Record<keyof RequestLimits, { max: number; label: string }> = {
  perAddressPerHour: { max: 100_000, label: 'par adresse IP' },
  perContactPerHour: { max: 100_000, label: 'par adresse électronique ou numéro' },
  perTenantPerHour: { max: 1_000_000, label: 'pour toute la commune' },
};

/** The limits the tenant applies now (its own values, the defaults elsewhere). */
export async function loadRequestLimits(em: EntityManager, tenantId: string): Promise<RequestLimits> {
  return requestLimitsOf(await em.getRepository(Tenant).settingsOf(tenantId));
}

/** Saves the hourly limits of the public API from the administration form (numbers or digit strings); audited. */
export async function saveRequestLimits(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const errors: FieldError[] = Object.keys(input)
    .filter((key) => !(key in BOUNDS))
    .map((key) => ({ path: `/${key}`, message: 'Ce champ n’est pas attendu.' }));
  const limits = { ...DEFAULT_REQUEST_LIMITS };
  for (const [key, { max, label }] of Object.entries(BOUNDS) as Array<[keyof RequestLimits, (typeof BOUNDS)[keyof RequestLimits]]>) {
    const raw = input[key];
    const value = typeof raw === 'string' && /^\d{1,7}$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > max)
      errors.push({ path: `/${key}`, message: `Indiquez un nombre entier de demandes par heure ${label}, entre 1 et ${formatNumber(max)}.` });
    else limits[key] = value as number;
  }
  if (errors.length) throw new InputError(errors);
  await em.transactional(async (tx) => {
    const before = await loadRequestLimits(tx, ctx.tenantId);
    await tx.getRepository(Tenant).saveSetting(ctx.tenantId, 'limits', limits);
    await writeAudit(tx, { tenantId: ctx.tenantId, agentId: ctx.agentId, action: 'admin.limits.update', target: 'limits', data: { before, after: limits } });
  });
}
