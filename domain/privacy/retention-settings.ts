import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { Tenant } from '@/domain/entities';
import { InputError, NotFoundError, type FieldError } from '@/domain/validation';
import { DEFAULT_RETENTION, retentionPolicyOf, type RetentionPolicy } from './retention-policy';

/** Bounds of each duration, as the tenant file's schema has them (domain/tenant-config/tenant.schema.json). */
export const RETENTION_BOUNDS: Record<keyof RetentionPolicy, { min: number; max: number; label: string; unit: 'mois' | 'ans' }> = {
  requestsMonths: { min: 1, max: 120, label: 'Anonymisation des demandes closes', unit: 'mois' },
  documentsMonths: { min: 1, max: 120, label: 'Suppression des pièces jointes et documents', unit: 'mois' },
  messageLogsMonths: { min: 1, max: 120, label: 'Suppression des journaux de SMS et de courriels', unit: 'mois' },
  auditYears: { min: 1, max: 10, label: 'Conservation du journal d’audit', unit: 'ans' },
};

const KEYS = Object.keys(RETENTION_BOUNDS) as (keyof RetentionPolicy)[];

/** The durations from a form (numbers, or digits as text), with French field errors; the whole policy or nothing. */
export function parseRetentionPolicy(body: unknown): RetentionPolicy {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InputError([{ path: '', message: 'Formulaire invalide.' }]);
  const input = body as Record<string, unknown>;
  const errors: FieldError[] = Object.keys(input)
    .filter((key) => !KEYS.includes(key as keyof RetentionPolicy))
    .map((key) => ({ path: `/${key}`, message: 'Champ inconnu.' }));
  const policy = { ...DEFAULT_RETENTION };
  for (const key of KEYS) {
    const { min, max, unit } = RETENTION_BOUNDS[key];
    const raw = input[key];
    const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
    if (!/^\d{1,3}$/.test(text) || Number(text) < min || Number(text) > max) {
      errors.push({ path: `/${key}`, message: `Saisissez un nombre entier de ${min} à ${max} ${unit}.` });
    } else policy[key] = Number(text);
  }
  // Anonymising deletes the files anyway: a longer delay for them would promise what does not happen.
  if (!errors.length && policy.documentsMonths > policy.requestsMonths) {
    errors.push({ path: '/documentsMonths', message: 'Les pièces jointes ne peuvent être gardées plus longtemps que les demandes (elles sont supprimées à l’anonymisation).' });
  }
  if (errors.length) throw new InputError(errors);
  return policy;
}

/** The tenant's durations as the administration form shows them. */
export async function loadRetentionPolicy(em: EntityManager, tenantId: string): Promise<RetentionPolicy> {
  const settings = await em.getRepository(Tenant).settingsOf(tenantId);
  if (!settings) throw new NotFoundError(`Unknown tenant ${tenantId}`);
  return retentionPolicyOf(settings);
}

/** Saves the tenant's durations in its settings and records the change (before and after) in the audit trail. */
export async function saveRetentionPolicy(em: EntityManager, ctx: { tenantId: string; agentId: string }, body: unknown): Promise<RetentionPolicy> {
  const policy = parseRetentionPolicy(body);
  await em.transactional(async (tx) => {
    const tenants = tx.getRepository(Tenant);
    const settings = await tenants.settingsOf(ctx.tenantId, { lock: true });
    if (!settings) throw new NotFoundError(`Unknown tenant ${ctx.tenantId}`);
    await tenants.saveSetting(ctx.tenantId, 'retention', policy);
    await writeAudit(tx, {
      tenantId: ctx.tenantId,
      agentId: ctx.agentId,
      action: 'admin.settings.retention',
      target: 'retention',
      data: { before: retentionPolicyOf(settings), after: policy },
    });
  });
  return policy;
}
