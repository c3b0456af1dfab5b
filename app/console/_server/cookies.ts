import { SESSION_ABSOLUTE_MS, SESSION_COOKIE } from '@/domain/auth/sessions';
import { secureCookies } from './services';

/** Reads one cookie from a request's Cookie header. */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax (sent on top-level navigations only), Secure behind https. */
export function cookieHeader(name: string, value: string, maxAgeSeconds: number, path = '/'): string {
  return [`${name}=${encodeURIComponent(value)}`, `Path=${path}`, 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`, ...(secureCookies() ? ['Secure'] : [])].join('; ');
}

/** The session cookie for a new session. */
export function sessionCookie(token: string): string {
  return cookieHeader(SESSION_COOKIE, token, SESSION_ABSOLUTE_MS / 1000);
}

/** Clears the session cookie. */
export function clearSessionCookie(): string {
  return cookieHeader(SESSION_COOKIE, '', 0);
}
