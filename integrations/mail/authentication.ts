// SPF, DKIM and DMARC of an inbound message, checked with mailauth and kept on the case.
import { authenticate } from 'mailauth';
import type { MailAuthentication } from '@/domain/mail/parsed-email';

/** The SMTP session facts SPF needs. */
export interface SmtpSessionFacts {
  remoteAddress?: string;
  helo?: string;
  mailFrom: string | null;
}

/** A DNS resolver as mailauth calls it (dns.promises.resolve's signature); tests pass one that knows their records. */
export type DnsResolver = (name: string, rrtype: string) => Promise<unknown>;

/**
 * Checks the message; a DNS failure gives `temperror` results rather than an exception, so a message is never lost
 * because a lookup failed.
 */
export async function authenticateMessage(raw: Buffer, session: SmtpSessionFacts, options: { mta: string; resolver?: DnsResolver }): Promise<MailAuthentication> {
  try {
    const result = await authenticate(raw, {
      ip: session.remoteAddress ?? '127.0.0.1',
      helo: session.helo ?? 'localhost',
      sender: session.mailFrom ?? '',
      mta: options.mta,
      resolver: options.resolver,
      // ARC and BIMI are not used by Relais's decisions; skipping them saves lookups.
      disableArc: true,
      disableBimi: true,
    });
    return {
      spf: String(result.spf && typeof result.spf === 'object' ? result.spf.status?.result ?? 'none' : 'none'),
      dkim: dkimSummary(result.dkim?.results ?? []),
      dmarc: String(result.dmarc && typeof result.dmarc === 'object' ? result.dmarc.status?.result ?? 'none' : 'none'),
      header: result.headers?.slice(0, 4000),
    };
  } catch (error) {
    return { spf: 'temperror', dkim: 'temperror', dmarc: 'temperror', header: `mailauth: ${(error as Error).message}`.slice(0, 500) };
  }
}

/** `pass` when one signature passes, otherwise the first result (`none` when unsigned). */
function dkimSummary(results: Array<{ status?: { result?: string } }>): string {
  if (results.some((r) => r.status?.result === 'pass')) return 'pass';
  return results[0]?.status?.result ?? 'none';
}
