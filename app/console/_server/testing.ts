import { POST as login } from '@/app/api/v1/t/[tenant]/agent/session/route';

/** The origin tests act from (global setup sets PUBLIC_URL). */
export const TEST_ORIGIN = 'http://relais.test';

type RouteHandler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

/** Calls a route handler as a same-origin browser would, with an optional session cookie. */
export function call<P extends Record<string, string>>(
  handler: RouteHandler<P>,
  params: P,
  init: { method?: string; path?: string; body?: unknown; cookie?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const method = init.method ?? 'GET';
  const headers = new Headers({ 'content-type': 'application/json', ...(method === 'GET' ? {} : { origin: TEST_ORIGIN, 'sec-fetch-site': 'same-origin' }), ...init.headers });
  for (const [name, value] of Object.entries(init.headers ?? {})) if (value === '') headers.delete(name);
  if (init.cookie) headers.set('cookie', init.cookie);
  const request = new Request(new URL(init.path ?? '/api/v1/t/x/agent', TEST_ORIGIN), {
    method,
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  return handler(request, { params: Promise.resolve(params) });
}

export { setAgentPassword as setPassword } from '@/temporal/testing/fixtures';

/** Logs in through the real route; returns the Cookie header value. */
export async function sessionFor(tenant: string, email: string, password = 'mot-de-passe-de-test'): Promise<string> {
  const response = await call(login, { tenant }, { method: 'POST', body: { email, password } });
  if (response.status !== 204) throw new Error(`login of ${email} failed: ${response.status} ${await response.text()}`);
  return response.headers.get('set-cookie')!.split(';')[0];
}
