import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DepartmentRole } from '@/domain/entities';
import { sql } from './db';
import { hashToken, newSecretToken } from './tokens';

/** Name of the session cookie (HttpOnly, SameSite=Lax). */
export const SESSION_COOKIE = 'relais_session';
/** A session ends after this much inactivity. */
export const SESSION_IDLE_MS = 8 * 3600_000;
/** A session ends this long after login, active or not. */
export const SESSION_ABSOLUTE_MS = 12 * 3600_000;

/** One role of the agent in one department. */
export interface PrincipalRole {
  departmentId: string;
  departmentSlug: string;
  departmentName: string;
  role: DepartmentRole;
}

/** The logged-in agent, as every console route sees them. */
export interface AgentPrincipal {
  sessionId: string;
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  agentId: string;
  name: string;
  email: string;
  isAdmin: boolean;
  /** Data protection officer of the tenant (citizens' rights: access, export, erasure). */
  isDpo: boolean;
  roles: PrincipalRole[];
}

/** Opens a session and returns its secret token (the cookie value). */
export async function createSession(
  em: EntityManager,
  tenantId: string,
  agentId: string,
  options: { via?: 'password' | 'oidc'; userAgent?: string | null; now?: Date } = {},
): Promise<string> {
  const token = newSecretToken();
  const now = options.now ?? new Date();
  await sql(em, 
    `insert into agent_session (id, tenant_id, agent_id, token_hash, via, created_at, last_seen_at, expires_at, user_agent)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [randomUUID(), tenantId, agentId, hashToken(token), options.via ?? 'password', now, now, new Date(now.getTime() + SESSION_IDLE_MS), options.userAgent?.slice(0, 300) ?? null],
  );
  return token;
}

/** The agent behind a session token, or undefined when it is unknown, expired or the agent was deactivated. */
export async function loadSession(em: EntityManager, token: string | undefined | null, now = new Date()): Promise<AgentPrincipal | undefined> {
  if (!token || token.length > 100) return undefined;
  const [row] = await sql<{
    id: string; tenant_id: string; tenant_slug: string; tenant_name: string; agent_id: string; name: string; email: string; is_admin: boolean; is_dpo: boolean;
    created_at: Date; last_seen_at: Date; expires_at: Date;
  }>(
    em,
    `select s.id, s.tenant_id, t.slug as tenant_slug, t.name as tenant_name, a.id as agent_id, a.name, a.email, a.is_admin, a.is_dpo,
            s.created_at, s.last_seen_at, s.expires_at
       from agent_session s join agent a on a.id = s.agent_id and a.active join tenant t on t.id = s.tenant_id
      where s.token_hash = ?`,
    [hashToken(token)],
  );
  if (!row) return undefined;
  if (new Date(row.expires_at) <= now || now.getTime() - new Date(row.created_at).getTime() > SESSION_ABSOLUTE_MS) {
    await sql(em, 'delete from agent_session where id = ?', [row.id]);
    return undefined;
  }
  // Sliding expiry, written at most once a minute so reads stay cheap.
  if (now.getTime() - new Date(row.last_seen_at).getTime() > 60_000) {
    await sql(em, 'update agent_session set last_seen_at = ?, expires_at = ? where id = ?', [now, new Date(now.getTime() + SESSION_IDLE_MS), row.id]);
  }
  const roles = await sql<{ department_id: string; slug: string; name: string; role: DepartmentRole }>(
    em,
    `select ar.department_id, d.slug, d.name, ar.role from agent_role ar join department d on d.id = ar.department_id
      where ar.agent_id = ? and d.tenant_id = ? order by d.name, ar.role`,
    [row.agent_id, row.tenant_id],
  );
  return {
    sessionId: row.id,
    tenantId: row.tenant_id,
    tenantSlug: row.tenant_slug,
    tenantName: row.tenant_name,
    agentId: row.agent_id,
    name: row.name,
    email: row.email,
    isAdmin: row.is_admin,
    isDpo: row.is_dpo,
    roles: roles.map((r) => ({ departmentId: r.department_id, departmentSlug: r.slug, departmentName: r.name, role: r.role })),
  };
}

/** Ends one session (logout). */
export async function destroySession(em: EntityManager, token: string): Promise<void> {
  await sql(em, 'delete from agent_session where token_hash = ?', [hashToken(token)]);
}

/** Ends every session of an agent (password change, deactivation). */
export async function destroyAgentSessions(em: EntityManager, agentId: string): Promise<void> {
  await sql(em, 'delete from agent_session where agent_id = ?', [agentId]);
}
