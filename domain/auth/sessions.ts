import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AgentRole, AgentSession, type DepartmentRole } from '@/domain/entities';
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
  /** Régisseur of the tenant (the régie's payments and reconciliation). */
  isTreasurer: boolean;
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
  await em.insert(AgentSession, {
    id: randomUUID(),
    tenant: tenantId,
    agent: agentId,
    tokenHash: hashToken(token),
    via: options.via ?? 'password',
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_IDLE_MS),
    userAgent: options.userAgent?.slice(0, 300) ?? null,
  });
  return token;
}

/** The agent behind a session token, or undefined when it is unknown, expired or the agent was deactivated. */
export async function loadSession(em: EntityManager, token: string | undefined | null, now = new Date()): Promise<AgentPrincipal | undefined> {
  if (!token || token.length > 100) return undefined;
  const session = await em.findOne(AgentSession, { tokenHash: hashToken(token), agent: { active: true } }, { populate: ['agent', 'tenant'] });
  if (!session) return undefined;
  if (session.expiresAt <= now || now.getTime() - session.createdAt.getTime() > SESSION_ABSOLUTE_MS) {
    await em.nativeDelete(AgentSession, { id: session.id });
    return undefined;
  }
  // Sliding expiry, written at most once a minute so reads stay cheap.
  if (now.getTime() - session.lastSeenAt.getTime() > 60_000) {
    await em.nativeUpdate(AgentSession, { id: session.id }, { lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_IDLE_MS) });
  }
  const { agent, tenant } = session;
  const roles = await em.find(
    AgentRole,
    { agent, department: { tenant } },
    { populate: ['department'], orderBy: [{ department: { name: 'asc' } }, { role: 'asc' }] },
  );
  return {
    sessionId: session.id,
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    tenantName: tenant.name,
    agentId: agent.id,
    name: agent.name,
    email: agent.email,
    isAdmin: agent.isAdmin,
    isDpo: agent.isDpo,
    isTreasurer: agent.isTreasurer,
    roles: roles.map((r) => ({ departmentId: r.department.id, departmentSlug: r.department.slug, departmentName: r.department.name, role: r.role })),
  };
}

/** Ends one session (logout). */
export async function destroySession(em: EntityManager, token: string): Promise<void> {
  await em.nativeDelete(AgentSession, { tokenHash: hashToken(token) });
}

/** Ends every session of an agent (password change, deactivation). */
export async function destroyAgentSessions(em: EntityManager, agentId: string): Promise<void> {
  await em.nativeDelete(AgentSession, { agent: agentId });
}
