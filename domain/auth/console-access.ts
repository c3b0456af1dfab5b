import pg from 'pg';
import type { DepartmentRole } from '@/domain/entities';
import { meets, type Requirement } from './roles';
import { SESSION_ABSOLUTE_MS } from './sessions';
import { hashToken } from './tokens';

/** Console sections (`/console/{tenant}/{section}`) that need more than an agent; the pages check the same. */
export const CONSOLE_SECTION_REQUIREMENTS: Readonly<Record<string, Requirement>> = {
  admin: 'admin',
  formulaires: 'admin',
  'tableau-de-bord': 'head',
  journal: 'dpo',
  'donnees-personnelles': 'dpo',
  abonnes: 'dpo',
  regie: 'treasury',
  catalogue: 'admin',
};

/** The requirement of a console path, or undefined for pages every agent may see. */
export function consoleRequirement(pathname: string): { tenant: string; requires: Requirement } | undefined {
  const match = /^\/console\/([a-z0-9][a-z0-9-]{0,62})\/([^/]+)/.exec(pathname);
  const requires = match ? CONSOLE_SECTION_REQUIREMENTS[match[2]] : undefined;
  return match && requires ? { tenant: match[1], requires } : undefined;
}

/**
 * Whether the session of a token may see a console section of a tenant: `undefined` without a live session there (the
 * page then sends to the login form), else true or false. Read-only: the page itself slides the session's expiry.
 */
export function createConsoleAccess(databaseUrl: string | undefined) {
  // The proxy runs before every console page, in its own bundle: one small pool and one indexed query, not the ORM.
  const pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 2, idleTimeoutMillis: 30_000 }) : undefined;
  return async (token: string | undefined, tenant: string, requires: Requirement): Promise<boolean | undefined> => {
    if (!pool || !token || token.length > 100) return undefined;
    const { rows } = await pool.query<{ is_admin: boolean; is_dpo: boolean; is_treasurer: boolean; roles: DepartmentRole[] }>(
      `select a.is_admin, a.is_dpo, a.is_treasurer, coalesce(array_agg(ar.role) filter (where ar.role is not null), '{}') as roles
         from agent_session s join agent a on a.id = s.agent_id and a.active join tenant t on t.id = s.tenant_id
         left join agent_role ar on ar.agent_id = a.id
        where s.token_hash = $1 and t.slug = $2 and s.expires_at > now() and s.created_at > $3
        group by a.id, a.is_admin, a.is_dpo, a.is_treasurer`,
      [hashToken(token), tenant, new Date(Date.now() - SESSION_ABSOLUTE_MS)],
    );
    if (!rows.length) return undefined;
    return meets({ isAdmin: rows[0].is_admin, isDpo: rows[0].is_dpo, isTreasurer: rows[0].is_treasurer, roles: rows[0].roles.map((role) => ({ role })) }, requires);
  };
}
