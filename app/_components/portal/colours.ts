import type { TenantBranding } from '@/domain/entities';

/** Colours of a portal, adjusted so text always reaches the WCAG AA contrast ratio. */
export interface PortalColours {
  primary: string;
  onPrimary: string;
  link: string;
  accent: string;
}

const DEFAULT_PRIMARY = '#000091';

/** Tenant colours made safe: text on the primary colour and links on white keep a 4.5:1 contrast. */
export function portalColours(branding: Pick<TenantBranding, 'primaryColor' | 'accentColor'>): PortalColours {
  const primary = isHex(branding.primaryColor) ? normalise(branding.primaryColor) : DEFAULT_PRIMARY;
  const onPrimary = contrast(primary, '#ffffff') >= 4.5 ? '#ffffff' : '#161616';
  const link = contrast(primary, '#ffffff') >= 4.5 ? primary : darken(primary);
  const accentRaw = branding.accentColor && isHex(branding.accentColor) ? normalise(branding.accentColor) : '#e1000f';
  const accent = contrast(accentRaw, '#ffffff') >= 3 ? accentRaw : '#161616';
  return { primary, onPrimary, link, accent };
}

/** WCAG contrast ratio of two hex colours. */
export function contrast(a: string, b: string): number {
  const [la, lb] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (la + 0.05) / (lb + 0.05);
}

function darken(hex: string): string {
  let [r, g, b] = rgb(hex);
  for (let i = 0; i < 20 && contrast(toHex(r, g, b), '#ffffff') < 4.5; i++) [r, g, b] = [r * 0.85, g * 0.85, b * 0.85];
  return toHex(r, g, b);
}

function isHex(value: unknown): value is string {
  return typeof value === 'string' && /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(value);
}

function normalise(hex: string): string {
  const h = hex.toLowerCase();
  return h.length === 4 ? `#${h[1]}${h[1]}${h[2]}${h[2]}${h[3]}${h[3]}` : h;
}

function rgb(hex: string): [number, number, number] {
  const h = normalise(hex);
  return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}

function toHex(r: number, g: number, b: number): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
