import type { Actor } from '@/domain/requests/contract';
import type { DepartmentRole } from '@/domain/entities';
import type { AgentPrincipal } from './sessions';
import { ForbiddenError } from './errors';

/**
 * What a console route requires of the agent; `dpo` is met by the data protection officer and by administrators
 * (citizens' rights screens); `treasury` (the régie's payments and reconciliation) by the régisseur and administrators.
 */
export type Requirement = 'agent' | 'validator' | 'head' | 'admin' | 'dpo' | 'treasury';

/** The workflow actor of a logged-in agent: departments and validation rights from agent_role. */
export function actorOf(principal: AgentPrincipal): Actor {
  return {
    agentId: principal.agentId,
    name: principal.name,
    isAdmin: principal.isAdmin,
    departmentIds: [...new Set(principal.roles.map((r) => r.departmentId))],
    validatorOf: [...new Set(principal.roles.filter((r) => r.role === 'validator' || r.role === 'head').map((r) => r.departmentId))],
  };
}

/** What role checks read of an agent. */
export type RoleHolder = Pick<AgentPrincipal, 'isAdmin' | 'isDpo'> & Partial<Pick<AgentPrincipal, 'isTreasurer'>> & { roles: ReadonlyArray<{ role: DepartmentRole }> };

/** True when the agent holds one of the roles in some department (administrators hold every role). */
export function hasRole(principal: RoleHolder, ...roles: DepartmentRole[]): boolean {
  return principal.isAdmin || principal.roles.some((r) => roles.includes(r.role));
}

/** True when the agent meets a route requirement. */
export function meets(principal: RoleHolder, requirement: Requirement): boolean {
  switch (requirement) {
    case 'agent':
      return true;
    case 'validator':
      return hasRole(principal, 'validator', 'head');
    case 'head':
      return hasRole(principal, 'head');
    case 'admin':
      return principal.isAdmin;
    case 'treasury':
      return principal.isAdmin || principal.isTreasurer === true;
    case 'dpo':
      return principal.isAdmin || principal.isDpo;
  }
}

/** Throws ForbiddenError unless the agent meets the requirement. */
export function requireRole(principal: AgentPrincipal, requirement: Requirement): void {
  if (!meets(principal, requirement)) {
    const messages: Record<Requirement, string> = {
      agent: 'Accès réservé aux agents.',
      validator: 'Action réservée aux valideurs.',
      head: 'Accès réservé aux chefs de service et aux administrateurs.',
      admin: 'Accès réservé aux administrateurs de la commune.',
      treasury: 'Accès réservé à la régie et aux administrateurs de la commune.',
      dpo: 'Accès réservé au délégué à la protection des données et aux administrateurs.',
    };
    throw new ForbiddenError(messages[requirement]);
  }
}
