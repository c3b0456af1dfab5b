// Relais's own e-mail addresses on the inbound domain, and the signed tokens that tie a reply or a bounce to its record.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** What an address on the inbound domain designates. */
export type RelaisAddress =
  /** `<tenant>@<domain>` (the tenant's default routing) or `<topic>.<tenant>@<domain>` (that topic). */
  | { kind: 'tenant'; tenantSlug: string; topicSlug?: string }
  /** `reponse+<tenant>.<reference>.<mac>@<domain>`: the Reply-To of every e-mail about a request. */
  | { kind: 'reply'; tenantSlug: string; reference: string }
  /** `rebond+<notification id>.<mac>@<domain>`: the envelope sender (VERP) of every e-mail Relais sends. */
  | { kind: 'bounce'; notificationId: string };

const REPLY_PREFIX = 'reponse+';
const BOUNCE_PREFIX = 'rebond+';
const SLUG = '[a-z0-9][a-z0-9-]{0,62}';
const REPLY_LOCAL = new RegExp(`^reponse\\+(${SLUG})\\.(\\d{4}-\\d{4,8})\\.([0-9a-f]{16})$`);
const BOUNCE_LOCAL = /^rebond\+([0-9a-f-]{36})\.([0-9a-f]{12})$/;
const TENANT_LOCAL = new RegExp(`^(?:(${SLUG})\\.)?(${SLUG})$`);

/** Signs and reads the tokens with a key derived from RELAIS_SECRET for this use only (HKDF). */
export function createMailTokens(secret: string, domain: string) {
  const key = Buffer.from(hkdfSync('sha256', secret, 'relais', 'inbound mail address tokens', 32));
  const mac = (text: string, length: number) => createHmac('sha256', key).update(text).digest('hex').slice(0, length);
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  const lowerDomain = domain.toLowerCase();

  /** The per-request Reply-To address. */
  function replyAddress(tenantSlug: string, reference: string): string {
    return `${REPLY_PREFIX}${tenantSlug}.${reference}.${mac(`reply:${tenantSlug}:${reference}`, 16)}@${lowerDomain}`;
  }

  /** The envelope sender of one outgoing e-mail: its bounce comes back to this address. */
  function bounceAddress(notificationId: string): string {
    return `${BOUNCE_PREFIX}${notificationId}.${mac(`bounce:${notificationId}`, 12)}@${lowerDomain}`;
  }

  /**
   * Reads an address of the inbound domain; undefined for another domain, a malformed local part or a token whose
   * signature does not match (a forged or mistyped reply address is not a reply).
   */
  function parse(address: string): RelaisAddress | undefined {
    const at = address.lastIndexOf('@');
    if (at <= 0 || address.slice(at + 1).toLowerCase() !== lowerDomain) return undefined;
    const local = address.slice(0, at).toLowerCase();
    const reply = REPLY_LOCAL.exec(local);
    if (reply) {
      const [, tenantSlug, reference, given] = reply;
      return same(given, mac(`reply:${tenantSlug}:${reference}`, 16)) ? { kind: 'reply', tenantSlug, reference } : undefined;
    }
    const bounce = BOUNCE_LOCAL.exec(local);
    if (bounce) {
      const [, notificationId, given] = bounce;
      return same(given, mac(`bounce:${notificationId}`, 12)) ? { kind: 'bounce', notificationId } : undefined;
    }
    if (local.startsWith(REPLY_PREFIX) || local.startsWith(BOUNCE_PREFIX)) return undefined;
    const tenant = TENANT_LOCAL.exec(local);
    return tenant ? { kind: 'tenant', tenantSlug: tenant[2], topicSlug: tenant[1] } : undefined;
  }

  /** True for any address of the inbound domain: mail from there is Relais's own and never acknowledged. */
  function isOwnAddress(address: string): boolean {
    return address.toLowerCase().endsWith(`@${lowerDomain}`);
  }

  return { replyAddress, bounceAddress, parse, isOwnAddress, domain: lowerDomain };
}

/** The token functions of a deployment. */
export type MailTokens = ReturnType<typeof createMailTokens>;
