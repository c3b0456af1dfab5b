import { isIP } from 'node:net';

/**
 * The `X-Forwarded-For` a hop passes on: what it received, then the address of the peer it received it from. Relais's
 * web server (scripts/web-server.ts) does this for every request, so the right-most entry is always the socket peer;
 * Next.js's own server only fills the header when it is absent, which would let a client choose its address.
 */
export function forwardedFor(received: string | string[] | undefined, peer: string | undefined): string {
  const before = (Array.isArray(received) ? received.join(', ') : (received ?? '')).trim();
  const hop = peer ?? 'inconnue';
  return before ? `${before}, ${hop}` : hop;
}

/**
 * The client's address: the right-most `X-Forwarded-For` entry not added by one of the `trustedProxies` proxies in front
 * of the web server. Entries further left were written by the client or by proxies we do not run, and are ignored.
 * IPv6 clients count by /64, as one subscriber usually holds a whole /64.
 */
export function clientAddress(headers: Pick<Headers, 'get'>, trustedProxies: number): string {
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  if (!hops.length) return 'inconnue';
  const hop = hops[Math.max(0, hops.length - 1 - trustedProxies)];
  return addressKey(hop);
}

function addressKey(raw: string): string {
  const address = raw.replace(/^\[|\](?::\d+)?$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  const family = isIP(address);
  if (family === 4) return address;
  if (family === 6) return ipv6Prefix64(address);
  return address.slice(0, 64);
}

function ipv6Prefix64(address: string): string {
  const [head, tail] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
