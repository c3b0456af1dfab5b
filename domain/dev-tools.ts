import { env } from './env';

/** The development tools this process may show, and where their data lives. */
export interface DevTools {
  /** The stack's own SMTP sink (`/dev/courriels`). */
  mailSinkUrl?: string;
  /** The stack's own SMSC simulator's control API (`/dev/sms`, MO injection). */
  smscControlUrl?: string;
}

/**
 * Only a launcher that starts its own SMTP sink or SMSC simulator (`npm start`, the test stack) sets MAIL_SINK_URL or
 * SMSC_CONTROL_URL; a deployment that brings its own SMTP_URL and SMPP_URL has neither, so every `/dev/*` path is absent
 * there whatever NODE_ENV says.
 */
export function devTools(): DevTools {
  const config = env();
  return { mailSinkUrl: config.MAIL_SINK_URL, smscControlUrl: config.SMSC_CONTROL_URL };
}

/** Whether a `/dev/…` path exists in this process: each tool only while its simulator runs, nothing else under /dev. */
export function devPathExists(pathname: string, tools: DevTools = devTools()): boolean {
  if (pathname === '/dev/courriels' || pathname.startsWith('/dev/courriels/')) return Boolean(tools.mailSinkUrl);
  if (pathname === '/dev/sms' || pathname.startsWith('/dev/sms/')) return Boolean(tools.smscControlUrl);
  return false;
}
