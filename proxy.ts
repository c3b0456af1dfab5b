import { NextResponse, type NextRequest } from 'next/server';
import { createHostDirectory } from './app/t/_lib/hosts';
import { env } from './domain/env';

let hosts: ReturnType<typeof createHostDirectory> | undefined;

/**
 * A municipality's own host name (e.g. `demo.localhost`, from `tenant.hostnames`) serves its portal at the root:
 * `/`, `/question`, `/suivi/…` are rewritten to `/t/{tenant}/…`. Other hosts and the `/t/{tenant}` prefix pass unchanged.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  hosts ??= createHostDirectory(env().DATABASE_URL);
  const tenant = await hosts.tenantFor(request.headers.get('host'));
  if (!tenant) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = `/t/${tenant}${url.pathname === '/' ? '' : url.pathname}`;
  return NextResponse.rewrite(url);
}

export const config = {
  // Paths that already name their tenant, the API, the console and assets never need the host lookup.
  matcher: ['/((?!t/|api/|console|dev/|_next/|favicon\\.ico|robots\\.txt).*)'],
};
