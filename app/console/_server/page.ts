import 'server-only';
import { cookies } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import type { EntityManager } from '@mikro-orm/postgresql';
import { meets, type Requirement } from '@/domain/auth/roles';
import { SESSION_COOKIE, loadSession, type AgentPrincipal } from '@/domain/auth/sessions';
import { appContext } from '@/app/_server/context';

/** The logged-in agent of a console page, or a redirect to the login page; `allowed` is false when the role is missing. */
export async function consolePage(tenant: string, requires: Requirement = 'agent', returnTo?: string): Promise<{ principal: AgentPrincipal; em: EntityManager; allowed: boolean }> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(tenant)) notFound();
  const { orm } = await appContext();
  const em = orm.em.fork();
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const principal = await loadSession(em, token);
  if (!principal || principal.tenantSlug !== tenant) {
    const query = returnTo ? `?retour=${encodeURIComponent(returnTo)}` : '';
    redirect(`/console/${tenant}/connexion${query}`);
  }
  return { principal, em, allowed: meets(principal, requires) };
}
