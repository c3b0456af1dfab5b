/** A topic delay in French: "8 jours", "5 jours ouvrés", "1 heure". */
export function frenchDelay(iso: string, businessDays: boolean): string {
  const days = /^P(\d+)D$/.exec(iso)?.[1];
  if (days) return `${days} jour${days === '1' ? '' : 's'}${businessDays ? (days === '1' ? ' ouvré' : ' ouvrés') : ''}`;
  const hours = /^PT(\d+)H$/.exec(iso)?.[1];
  if (hours) return `${hours} heure${hours === '1' ? '' : 's'}`;
  return iso;
}
