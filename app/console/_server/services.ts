import 'server-only';
import { createSmtpSender, type EmailSender } from '@/integrations/mail/smtp';
import { env } from '@/domain/env';

let mailer: EmailSender | undefined;

/** The console's own SMTP sender (password reset links); one per process. */
export function consoleMailer(): EmailSender {
  const config = env();
  if (!config.SMTP_URL) throw new Error('SMTP_URL is not set: password reset e-mails cannot be sent.');
  mailer ??= createSmtpSender(config.SMTP_URL, config.SMTP_FROM);
  return mailer;
}

export { secureCookies } from '@/app/_server/cookie-policy';

/** Origins allowed to send state-changing requests: the public URL and the address the request was made to. */
export function allowedOrigins(request: Request): string[] {
  const origins = [new URL(env().PUBLIC_URL).origin];
  try {
    origins.push(new URL(request.url).origin);
  } catch {
    // A relative URL has no origin of its own; the public URL alone is allowed.
  }
  return origins;
}

/** Link to the Temporal Web UI for operators, when configured. */
export function temporalUiUrl(): string | undefined {
  return env().TEMPORAL_UI_URL;
}
