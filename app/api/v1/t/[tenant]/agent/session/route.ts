import { loginWithPassword } from '@/domain/auth/login';
import { destroySession, SESSION_COOKIE } from '@/domain/auth/sessions';
import { writeAudit } from '@/domain/audit/log';
import { clearSessionCookie, readCookie, sessionCookie } from '@/app/console/_server/cookies';
import { agentRoute, publicConsoleRoute } from '@/app/console/_server/route';

/** Logs in with e-mail and password: 204 and the session cookie; 401 when wrong, 429 when locked. */
export const POST = publicConsoleRoute(async ({ request, params, em, json }) => {
  const { token } = await loginWithPassword(em, params.tenant, await json(), {
    ip: request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() ?? null,
    userAgent: request.headers.get('user-agent'),
  });
  return new Response(null, { status: 204, headers: { 'set-cookie': sessionCookie(token), 'cache-control': 'no-store' } });
});

/** The logged-in agent: name, e-mail, administrator flag and roles per department. */
export const GET = agentRoute('agent', async ({ principal }) => {
  const { sessionId: _secretish, ...agent } = principal;
  return Response.json(agent, { headers: { 'cache-control': 'no-store' } });
});

/** Logs out: the session row is deleted, the cookie cleared. */
export const DELETE = agentRoute('agent', async ({ request, em, principal }) => {
  const token = readCookie(request, SESSION_COOKIE);
  if (token) await destroySession(em, token);
  await writeAudit(em, { tenantId: principal.tenantId, agentId: principal.agentId, action: 'auth.logout', target: principal.email });
  return new Response(null, { status: 204, headers: { 'set-cookie': clearSessionCookie() } });
});
