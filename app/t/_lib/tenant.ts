import 'server-only';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { createFormClock } from '@/domain/antispam/form-clock';
import { createSubmissionLimiter } from '@/domain/antispam/submission-limiter';
import { createFormTokenLedger } from '@/domain/antispam/form-tokens';
import { relaisSecret } from '@/domain/secrets/relais-secret';
import { Tenant, type TenantBranding, type TenantSettings } from '@/domain/entities';
import { ACCESSIBILITY_STATUS_LABELS, legalOf } from '@/domain/privacy/legal';
import { appContext } from '@/app/_server/context';
import { portalColours, type PortalColours } from '@/app/_components/portal/colours';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';

/** What every portal page knows of its municipality: a plain object, safe to hand to React. */
export interface PortalTenant {
  id: string;
  slug: string;
  name: string;
  branding: TenantBranding;
  colours: PortalColours;
  contact: NonNullable<TenantSettings['contact']>;
  timeZone: string;
  /** "non conforme", "partiellement conforme" or "totalement conforme": every footer states it (RGAA). */
  accessibilityStatus: string;
}

/** The tenant of a portal page, once per request; unknown slugs render the 404 page. */
export const portalTenant = cache(async (slug: string): Promise<PortalTenant> => {
  const tenant = await findPortalTenant(slug);
  if (!tenant) notFound();
  return tenant;
});

/** The tenant of a slug, or undefined. */
export async function findPortalTenant(slug: string): Promise<PortalTenant | undefined> {
  if (!/^[a-z0-9-]{1,63}$/.test(slug)) return undefined;
  const { orm } = await appContext();
  const row = await orm.em.fork().getRepository(Tenant).findBySlug(slug);
  if (!row) return undefined;
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    branding: row.branding,
    colours: portalColours(row.branding),
    contact: row.settings.contact ?? {},
    timeZone: row.settings.timeZone ?? DEFAULT_TIME_ZONE,
    accessibilityStatus: ACCESSIBILITY_STATUS_LABELS[legalOf(row.settings).accessibilityStatus],
  };
}

/** Paths of a tenant's portal. */
export const portalPaths = {
  home: (slug: string) => `/t/${slug}`,
  question: (slug: string) => `/t/${slug}/question`,
  submit: (slug: string) => `/t/${slug}/question/envoi`,
  confirmation: (slug: string, reference: string) => `/t/${slug}/confirmation/${encodeURIComponent(reference)}`,
  lookup: (slug: string) => `/t/${slug}/suivi`,
  privacy: (slug: string) => `/t/${slug}/confidentialite`,
  accessibility: (slug: string) => `/t/${slug}/accessibilite`,
  /** A smart form's browser validator; one URL per stored version, which never changes. */
  formValidator: (slug: string, form: string, version: number) => `/t/${slug}/formulaires/${encodeURIComponent(form)}/validation/${version}`,
  tracking: (slug: string, reference: string, code?: string) =>
    `/t/${slug}/suivi/${encodeURIComponent(reference)}${code ? `?code=${encodeURIComponent(code)}` : ''}`,
  reply: (slug: string, reference: string) => `/t/${slug}/suivi/${encodeURIComponent(reference)}/reponse`,
  attachment: (slug: string, reference: string, id: string, code: string) =>
    `/t/${slug}/suivi/${encodeURIComponent(reference)}/pieces/${id}?code=${encodeURIComponent(code)}`,
};

/** The portal's anti-spam guards: signed fill time, shared rate limits, single-use tokens. */
export interface PortalGuards {
  clock: ReturnType<typeof createFormClock>;
  limiter: ReturnType<typeof createSubmissionLimiter>;
  tokens: ReturnType<typeof createFormTokenLedger>;
}

let guards: PortalGuards | undefined;

/** Anti-spam guards of this web process; the submission counts are kept in the database, shared by every web process. */
export function portalGuards(): PortalGuards {
  // Every web process of a deployment signs with the same RELAIS_SECRET, so a form shown by one is accepted by another.
  guards ??= {
    clock: createFormClock(relaisSecret()),
    limiter: createSubmissionLimiter({ perIp: 30, perContact: 10, windowSeconds: 3600, store: async () => (await appContext()).orm.em.getConnection().getKnex() }),
    tokens: createFormTokenLedger(async () => (await appContext()).orm.em.fork()),
  };
  return guards;
}
