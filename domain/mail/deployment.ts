import { env } from '@/domain/env';
import { relaisSecret } from '@/domain/secrets/relais-secret';
import { createMailTokens, type MailTokens } from './addresses';

let cached: { secret: string; domain: string; tokens: MailTokens } | undefined;

/** The reply and bounce tokens of this deployment: RELAIS_SECRET on INBOUND_MAIL_DOMAIN (throws naming the variable when unset). */
export function deploymentMailTokens(): MailTokens {
  const secret = relaisSecret();
  const domain = env().INBOUND_MAIL_DOMAIN;
  if (cached?.secret !== secret || cached.domain !== domain) cached = { secret, domain, tokens: createMailTokens(secret, domain) };
  return cached.tokens;
}
