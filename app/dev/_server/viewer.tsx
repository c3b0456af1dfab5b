import 'server-only';
import { cookies } from 'next/headers';
import { notFound } from 'next/navigation';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SESSION_COOKIE, loadSession, type AgentPrincipal } from '@/domain/auth/sessions';
import { devTools, type DevTools } from '@/domain/dev-tools';
import { appContext } from '@/app/_server/context';

/**
 * The administrator a development view is shown to, or undefined. Even a development stack may hold several
 * municipalities and be reachable by others: each administrator sees their own municipality's messages only, as
 * the console would show them, rather than everyone's behind a flag that is easy to leave on.
 */
export async function devViewer(tool: keyof DevTools): Promise<{ principal?: AgentPrincipal; em: EntityManager; tools: DevTools }> {
  const tools = devTools();
  // The proxy already answers 404; this keeps the page absent should it ever be reached another way.
  if (!tools[tool]) notFound();
  const { orm } = await appContext();
  const em = orm.em.fork();
  const principal = await loadSession(em, (await cookies()).get(SESSION_COOKIE)?.value);
  return { principal: principal?.isAdmin ? principal : undefined, em, tools };
}

/** What a development view shows to anyone but an administrator. */
export function AdministratorsOnly({ title }: { title: string }) {
  return (
    <main id="contenu">
      <h1>{title}</h1>
      <p className="dev-banner">Vue de développement : elle n’existe que lorsque Relais tourne avec ses simulateurs locaux.</p>
      <p role="alert">
        Cette page montre les messages d’une commune à ses administrateurs. Connectez-vous à la console de votre commune (par exemple{' '}
        <a href="/console/demo/connexion">/console/demo</a>) avec un compte administrateur, puis revenez ici.
      </p>
    </main>
  );
}
