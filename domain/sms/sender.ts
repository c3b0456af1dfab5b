/** The sender a tenant's SMS carry: its alphanumeric id, else its number. */
export function smsSenderOf(settings: { smsSenderId?: string; smsNumber?: string }, fallback = 'RELAIS'): string {
  return settings.smsSenderId ?? settings.smsNumber ?? fallback;
}
