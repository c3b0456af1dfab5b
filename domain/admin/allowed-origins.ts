import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { Tenant } from '@/domain/entities';
import { InputError, type FieldError } from '@/domain/validation';
import type { AdminContext } from './context';

/** An origin as browsers send it: https with a host name and optional port (http only for a local test site). */
export const ORIGIN_PATTERN = /^(https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?|http:\/\/(localhost|127\.0\.0\.1)(:[0-9]{1,5})?)$/;

/** At most this many sites may embed one municipality's form. */
export const MAX_ALLOWED_ORIGINS = 20;

/**
 * Reads the origins an administrator typed, one per line (or a list): `https://www.ville.fr/` becomes
 * `https://www.ville.fr`; a path, query, credentials or plain http on a public host are refused in French.
 */
export function parseAllowedOrigins(value: unknown): string[] {
  const lines = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : undefined;
  if (!lines) throw new InputError([{ path: '/allowedOrigins', message: 'Saisissez une adresse de site par ligne (https://…).' }]);
  const origins: string[] = [];
  const errors: FieldError[] = [];
  for (const line of lines.map((l) => (typeof l === 'string' ? l.trim() : '')).filter(Boolean)) {
    let origin: string | undefined;
    try {
      const url = new URL(line);
      if ((url.pathname === '/' || url.pathname === '') && !url.search && !url.hash && !url.username && !url.password) origin = url.origin;
    } catch {
      origin = undefined;
    }
    if (!origin || !ORIGIN_PATTERN.test(origin)) errors.push({ path: '/allowedOrigins', message: `« ${line.slice(0, 100)} » n’est pas l’adresse d’un site en https (par exemple https://www.ville.fr), sans chemin.` });
    else if (!origins.includes(origin)) origins.push(origin);
  }
  if (origins.length > MAX_ALLOWED_ORIGINS) errors.push({ path: '/allowedOrigins', message: `${MAX_ALLOWED_ORIGINS} sites au plus.` });
  if (errors.length) throw new InputError(errors);
  return origins;
}

/** Saves the sites allowed to embed the portal and call the public API from a browser (applied within a minute). */
export async function saveAllowedOrigins(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const origins = parseAllowedOrigins(body && typeof body === 'object' ? (body as { allowedOrigins?: unknown }).allowedOrigins : undefined);
  await em.transactional(async (tx) => {
    const tenants = tx.getRepository(Tenant);
    const before = (await tenants.settingsOf(ctx.tenantId))?.allowedOrigins;
    await tenants.saveSetting(ctx.tenantId, 'allowedOrigins', origins);
    await writeAudit(tx, { tenantId: ctx.tenantId, agentId: ctx.agentId, action: 'admin.allowed-origins.update', target: 'settings', data: { before: before ?? [], after: origins } });
  });
}

/** The origins a tenant allows, for the administration screen. */
export async function loadAllowedOrigins(em: EntityManager, tenantId: string): Promise<string[]> {
  const origins: unknown = (await em.getRepository(Tenant).settingsOf(tenantId))?.allowedOrigins;
  return Array.isArray(origins) ? origins.filter((o): o is string => typeof o === 'string') : [];
}
