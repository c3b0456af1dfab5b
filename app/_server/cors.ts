/** The tenant of a public API path (`/api/v1/t/{tenant}/…`, not the agent API), or undefined. */
export function publicApiTenant(pathname: string): string | undefined {
  const match = /^\/api\/v1\/t\/([a-z0-9][a-z0-9-]{0,62})(\/.*)?$/.exec(pathname);
  if (!match || match[2] === '/agent' || match[2]?.startsWith('/agent/')) return undefined;
  return match[1];
}

/** What the proxy does with a request to the public API, given its Origin header. */
export type CorsDecision =
  | { kind: 'pass'; headers: Record<string, string> }
  | { kind: 'preflight'; headers: Record<string, string> }
  | { kind: 'refuse'; status: 403; error: string };

/**
 * CORS of the public API, denied by default: a browser page of another origin may call it only when the tenant lists
 * that origin (`settings.allowedOrigins`). Requests without Origin (servers, same-origin GET) and same-origin
 * requests pass; a refused cross-origin POST is stopped here, so a CORS-"simple" request cannot file anything.
 */
export function corsDecision(method: string, origin: string | null, ownOrigins: string[], allowed: string[]): CorsDecision {
  const vary = { vary: 'Origin' };
  if (!origin || ownOrigins.includes(origin)) return { kind: 'pass', headers: vary };
  if (!allowed.includes(origin)) {
    if (method === 'GET' || method === 'HEAD') return { kind: 'pass', headers: vary };
    return { kind: 'refuse', status: 403, error: 'Ce site n’est pas autorisé à envoyer des demandes à cette commune.' };
  }
  const headers = { ...vary, 'access-control-allow-origin': origin };
  if (method !== 'OPTIONS') return { kind: 'pass', headers };
  return {
    kind: 'preflight',
    headers: { ...headers, 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'Content-Type', 'access-control-max-age': '600' },
  };
}
