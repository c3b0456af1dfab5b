/** How the SMS of a list ends: the keyword that leaves it, and the number to send it to when the tenant has one. */
export function withStopMention(text: string, listSlug: string, smsNumber: string | undefined): string {
  const stop = `STOP ${listSlug.toUpperCase()}${smsNumber ? ` au ${smsNumber}` : ''}`;
  return `${text.trimEnd()}\n${stop} pour ne plus recevoir ces messages`;
}
