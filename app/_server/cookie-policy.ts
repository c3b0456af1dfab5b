import { env } from '@/domain/env';

/**
 * Whether cookies must be Secure: when the public URL is https, even if TLS ends at a reverse proxy and this process
 * sees plain http; local http development keeps working.
 */
export function secureCookies(): boolean {
  return env().PUBLIC_URL.startsWith('https:');
}
