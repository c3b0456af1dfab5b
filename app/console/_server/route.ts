import 'server-only';
import type { EntityManager } from '@mikro-orm/postgresql';
import { assertSameOrigin } from '@/domain/auth/csrf';
import { CrossOriginError, ForbiddenError, LockedOutError, UnauthenticatedError } from '@/domain/auth/errors';
import { requireRole, type Requirement } from '@/domain/auth/roles';
import { SESSION_COOKIE, loadSession, type AgentPrincipal } from '@/domain/auth/sessions';
import { NotFoundError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import { handleRoute, readJson } from '@/app/_server/http';
import { readCookie } from './cookies';
import { allowedOrigins } from './services';

/** What a public console route (login, reset) receives. */
export interface PublicRouteContext<P> {
  request: Request;
  params: P;
  em: EntityManager;
  json: () => Promise<unknown>;
}

/** What an authenticated console route receives. */
export interface AgentRouteContext<P> extends PublicRouteContext<P> {
  principal: AgentPrincipal;
}

type TenantParams = { tenant: string };
type Handler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

/** Turns authentication errors into 401 / 403 / 429; the rest goes through the app's handleRoute (400 / 404 / 409 / 503). */
export function handleAgentRoute(work: () => Promise<Response>): Promise<Response> {
  return handleRoute(async () => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UnauthenticatedError) return Response.json({ error: error.message }, { status: 401 });
      if (error instanceof ForbiddenError || error instanceof CrossOriginError) return Response.json({ error: error.message }, { status: 403 });
      if (error instanceof LockedOutError) {
        return Response.json({ error: error.message }, { status: 429, headers: { 'retry-after': String(Math.ceil(error.retryAfterSeconds)) } });
      }
      throw error;
    }
  });
}

/** A console route that needs no session (login, password reset): cross-origin check, then the handler. */
export function publicConsoleRoute<P extends TenantParams>(handler: (context: PublicRouteContext<P>) => Promise<Response>): Handler<P> {
  return (request, { params }) =>
    handleAgentRoute(async () => {
      assertSameOrigin(request.method, request.headers, allowedOrigins(request));
      const { orm } = await appContext();
      return handler({ request, params: await params, em: orm.em.fork(), json: () => readBody(request) });
    });
}

/**
 * The one wrapper of every agent route: cross-origin check → session (401) → same tenant (404) → role (403) → handler,
 * whose validation errors answer 400 and whose workflow refusals answer 409.
 */
export function agentRoute<P extends TenantParams>(
  requires: Requirement,
  handler: (context: AgentRouteContext<P>) => Promise<Response>,
): Handler<P> {
  return (request, { params }) =>
    handleAgentRoute(async () => {
      assertSameOrigin(request.method, request.headers, allowedOrigins(request));
      const resolved = await params;
      const { orm } = await appContext();
      const em = orm.em.fork();
      const principal = await authenticate(em, request, resolved.tenant);
      requireRole(principal, requires);
      return handler({ request, params: resolved, em, principal, json: () => readBody(request) });
    });
}

/** The JSON body; an empty body is an empty object, so body-less actions (open, approve, close) need none. */
async function readBody(request: Request): Promise<unknown> {
  if (request.headers.get('content-length') === '0' || !request.body) return {};
  const text = await request.text();
  if (!text.trim()) return {};
  return readJson(new Request(request.url, { method: 'POST', body: text }));
}

/** The agent of the request's session cookie for this tenant; 401 without one, 404 for another tenant's URL. */
export async function authenticate(em: EntityManager, request: Request, tenantSlug: string): Promise<AgentPrincipal> {
  const principal = await loadSession(em, readCookie(request, SESSION_COOKIE));
  if (!principal) throw new UnauthenticatedError();
  // Another municipality's console is not ours to reveal, even its existence.
  if (principal.tenantSlug !== tenantSlug) throw new NotFoundError(`Session of ${principal.tenantSlug} used on ${tenantSlug}`);
  return principal;
}
