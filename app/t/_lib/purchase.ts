import 'server-only';
import { cookies } from 'next/headers';
import type { ProductOffer } from '@/domain/payments/catalogue';
import { formatEuros } from '@/domain/format/french';
import pino from 'pino';
import { SpamRefusal } from '@/domain/antispam/refusal';
import { ConflictError, InputError, NotFoundError, type FieldError } from '@/domain/validation';
import { secureCookies } from '@/app/_server/cookie-policy';

/** What the citizen typed in the purchase form, kept between the form, its summary and a refusal. */
export interface PurchaseDraft {
  product: string;
  quantity: string;
  name: string;
  email: string;
  phone: string;
  /** The value the product's brackets split on (quotient familial), when it has brackets. */
  bracketValue: string;
  errors?: FieldError[];
}

const DRAFT_COOKIE = 'relais_achat';
const PAYMENT_COOKIE = 'relais_paiement';
// Long enough to read the summary; the amount is worked out again when the citizen pays.
const DRAFT_SECONDS = 1800;
// The payment window (20 minutes by default) and a margin for a late return from PayFiP.
const PAYMENT_SECONDS = 2 * 3600;

/** Paths of the purchase pages. */
export const purchasePaths = {
  catalogue: (slug: string) => `/t/${slug}/achats`,
  form: (slug: string, product: string) => `/t/${slug}/achats/${encodeURIComponent(product)}`,
  summary: (slug: string, product: string) => `/t/${slug}/achats/${encodeURIComponent(product)}/recapitulatif`,
  pay: (slug: string, product: string) => `/t/${slug}/achats/${encodeURIComponent(product)}/payer`,
  paymentReturn: (slug: string) => `/t/${slug}/paiement/retour`,
};

/** The draft kept in an HttpOnly cookie of the purchase pages: personal data stays out of URLs and the database. */
export async function readDraft(product: string): Promise<PurchaseDraft | undefined> {
  const raw = (await cookies()).get(DRAFT_COOKIE)?.value;
  if (!raw) return undefined;
  try {
    const draft = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as PurchaseDraft;
    return draft && typeof draft === 'object' && draft.product === product ? draft : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the draft for the form and the summary of one tenant's purchase pages. */
export async function keepDraft(tenantSlug: string, draft: PurchaseDraft): Promise<void> {
  const value = Buffer.from(JSON.stringify(draft), 'utf8').toString('base64url');
  (await cookies()).set(DRAFT_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: secureCookies(), path: purchasePaths.catalogue(tenantSlug), maxAge: DRAFT_SECONDS });
}

/** Forgets the draft once the purchase is filed. */
export async function forgetDraft(tenantSlug: string): Promise<void> {
  (await cookies()).set(DRAFT_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure: secureCookies(), path: purchasePaths.catalogue(tenantSlug), maxAge: 0 });
}

/** Remembers the purchase's reference and tracking code for the return page only, which then links the tracking page. */
export async function rememberPurchase(tenantSlug: string, reference: string, code: string): Promise<void> {
  (await cookies()).set(PAYMENT_COOKIE, `${reference}.${code}`, { httpOnly: true, sameSite: 'lax', secure: secureCookies(), path: purchasePaths.paymentReturn(tenantSlug), maxAge: PAYMENT_SECONDS });
}

/** The purchase the return page's cookie names, if any. */
export async function rememberedPurchase(): Promise<{ reference: string; code: string } | undefined> {
  const raw = (await cookies()).get(PAYMENT_COOKIE)?.value;
  const match = raw ? /^(\d{4}-\d{6})\.([A-Za-z0-9_-]{8,64})$/.exec(raw) : null;
  return match ? { reference: match[1], code: match[2] } : undefined;
}

/** The body of `POST /purchases` a draft stands for. */
export function purchaseBody(draft: PurchaseDraft, offer: ProductOffer): Record<string, unknown> {
  const quantity = offer.pricing.kind === 'fixed' ? 1 : /^\s*\d{1,4}\s*$/.test(draft.quantity) ? Number(draft.quantity) : draft.quantity;
  const contact: Record<string, string> = { email: draft.email.trim() };
  if (draft.name.trim()) contact.name = draft.name.trim();
  if (draft.phone.trim()) contact.phone = draft.phone.trim();
  return {
    product: offer.slug,
    quantity,
    contact,
    ...(offer.pricing.kind === 'bracket' ? { data: { [offer.pricing.field]: draft.bracketValue.trim() } } : {}),
  };
}

/** How the catalogue states a price: « 12,00 € la place », « de 15,00 € à 48,00 € selon le quotient familial ». */
export function priceText(offer: ProductOffer): string {
  const { pricing } = offer;
  if (pricing.kind === 'fixed') return formatEuros(pricing.amount);
  if (pricing.kind === 'per_unit') return `${formatEuros(pricing.unitPrice)} l’unité`;
  const prices = pricing.brackets.map((b) => b.unitPrice);
  const basis = /quotient/i.test(pricing.field) ? 'le quotient familial' : `la valeur « ${pricing.field} »`;
  return `de ${formatEuros(Math.min(...prices))} à ${formatEuros(Math.max(...prices))} l’unité, selon ${basis}`;
}

/** The French name of the value brackets split on. */
export function bracketLabel(field: string): string {
  return /quotient/i.test(field) ? 'Votre quotient familial (CAF)' : `Valeur « ${field} »`;
}

const log = pino({ name: 'portal' });

/** The French reasons of a refused purchase, for the form; a fault of ours is logged and said plainly. */
export function purchaseRefusal(error: unknown): FieldError[] {
  if (error instanceof InputError) return error.errors;
  if (error instanceof ConflictError) return [{ path: '', message: error.message }];
  if (error instanceof SpamRefusal) return [error.fieldError];
  if (error instanceof NotFoundError) return [{ path: '', message: 'Ce produit n’est pas en vente en ligne.' }];
  log.error(error, 'purchase failed on the portal');
  return [{ path: '', message: 'Le paiement en ligne est momentanément indisponible. Merci de réessayer dans quelques instants.' }];
}
