import type { EntityManager } from '@mikro-orm/postgresql';
import { Payment, Product, Tenant, type PaymentState } from '@/domain/entities';
import { InputError, type FieldError } from '@/domain/validation';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';
import { spreadsheetCsv } from '@/domain/format/spreadsheet';

/** What the treasury (régie) screen filters on; days are the tenant's, both included. */
export interface TreasuryFilters {
  from: string;
  to: string;
  /** A product slug. */
  product?: string;
  state?: PaymentState;
}

/** One payment as the régie reconciles it with PayFiP's statement. */
export interface TreasuryPayment {
  id: string;
  /** The tenant's day (YYYY-MM-DD) of payment, or of creation for an unpaid one. */
  day: string;
  /** When it was paid (or created), ISO. */
  at: string;
  state: PaymentState;
  /** PayFiP idOp. */
  providerId?: string;
  /** PayFiP refdet. */
  reference: string;
  amount: number;
  /** PayFiP numauto. */
  authorisation?: string;
  /** PayFiP dattrans (DDMMYYYY) and heurtrans (HHMM). */
  transactionDate?: string;
  transactionTime?: string;
  product?: string;
  quantity: number;
  requestReference?: string;
}

/** The payments of one day and what was cashed. */
export interface TreasuryDay {
  day: string;
  count: number;
  paidCount: number;
  paidAmount: number;
  payments: TreasuryPayment[];
}

/** The screen's answer: the days newest first, and the totals over the filters. */
export interface TreasuryReport {
  filters: TreasuryFilters;
  days: TreasuryDay[];
  totals: { count: number; paidCount: number; paidAmount: number };
  /** True when more payments matched than TREASURY_LIMIT: narrow the period. */
  truncated: boolean;
  timeZone: string;
}

/** French names of payment states, for the console. */
export const PAYMENT_STATE_LABELS: Record<PaymentState, string> = {
  created: 'Créé',
  pending: 'En attente',
  paid: 'Payé',
  refused: 'Refusé',
  abandoned: 'Abandonné',
  expired: 'Expiré',
};

/** Most payments one screen or export reads. */
export const TREASURY_LIMIT = 20_000;
/** Longest period one query covers. */
export const TREASURY_MAX_DAYS = 366;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

function isCalendarDay(day: string): boolean {
  if (!DAY.test(day) || day < '2000-01-01') return false;
  const parsed = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day;
}

/** The tenant's calendar day of an instant, YYYY-MM-DD. */
export function dayIn(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/** Today in the tenant's time zone, YYYY-MM-DD: the default end of the treasury's period. */
export async function tenantToday(em: EntityManager, tenantId: string, now = new Date()): Promise<string> {
  return dayIn(now, (await em.fork().getRepository(Tenant).settingsOf(tenantId))?.timeZone ?? DEFAULT_TIME_ZONE);
}

/** The instant a day starts in a time zone (its local midnight), daylight saving time included. */
export function startOfDay(day: string, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  const offsetAt = (t: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
        .formatToParts(new Date(t))
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - t;
  };
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The filters of a query string (`du`, `au`, `produit`, `etat`), with French field errors; without dates, the last
 * seven days up to `today`.
 */
export function parseTreasuryFilters(params: URLSearchParams | Record<string, string | string[] | undefined>, today: string): TreasuryFilters {
  const get = (name: string) => {
    const value = params instanceof URLSearchParams ? params.get(name) : params[name];
    const single = (Array.isArray(value) ? value[0] : value)?.trim();
    return single || undefined;
  };
  const errors: FieldError[] = [];
  const from = get('du') ?? addDays(get('au') && isCalendarDay(get('au')!) ? get('au')! : today, -6);
  const to = get('au') ?? today;
  if (!isCalendarDay(from)) errors.push({ path: '/du', message: 'Date de début invalide (AAAA-MM-JJ).' });
  if (!isCalendarDay(to)) errors.push({ path: '/au', message: 'Date de fin invalide (AAAA-MM-JJ).' });
  if (!errors.length && from > to) errors.push({ path: '/au', message: 'La date de fin doit suivre la date de début.' });
  if (!errors.length && Date.parse(to) - Date.parse(from) >= TREASURY_MAX_DAYS * 86_400_000) {
    errors.push({ path: '/au', message: `La période ne peut dépasser ${TREASURY_MAX_DAYS} jours.` });
  }
  const product = get('produit');
  if (product && !SLUG.test(product)) errors.push({ path: '/produit', message: 'Produit inconnu.' });
  const state = get('etat');
  if (state && !(state in PAYMENT_STATE_LABELS)) errors.push({ path: '/etat', message: 'État de paiement inconnu.' });
  if (errors.length) throw new InputError(errors);
  return { from, to, ...(product ? { product } : {}), ...(state ? { state: state as PaymentState } : {}) };
}

/** The filters as a query string (the screen's links and its CSV link keep them). */
export function treasuryFilterQuery(filters: TreasuryFilters, extra: Record<string, string> = {}): string {
  const entries = Object.entries({ du: filters.from, au: filters.to, produit: filters.product, etat: filters.state, ...extra });
  return new URLSearchParams(entries.filter((e): e is [string, string] => Boolean(e[1]))).toString();
}

/**
 * A tenant's payments over a period, by the tenant's day of payment (of creation for those never paid), newest
 * first, with the count and the amount cashed per day and in all. Only this tenant's payments are read.
 */
export async function treasuryReport(em: EntityManager, tenantId: string, filters: TreasuryFilters): Promise<TreasuryReport> {
  const fork = em.fork();
  const timeZone = (await fork.getRepository(Tenant).settingsOf(tenantId))?.timeZone ?? DEFAULT_TIME_ZONE;
  const start = startOfDay(filters.from, timeZone);
  const end = startOfDay(addDays(filters.to, 1), timeZone);
  let productId: string | undefined;
  if (filters.product) {
    const product = await fork.findOne(Product, { tenant: tenantId, slug: filters.product }, { fields: ['id'] });
    if (!product) return { filters, days: [], totals: { count: 0, paidCount: 0, paidAmount: 0 }, truncated: false, timeZone };
    productId = product.id;
  }
  const found = await fork.find(
    Payment,
    {
      tenant: tenantId,
      $or: [
        { paidAt: { $gte: start, $lt: end } },
        { paidAt: null, createdAt: { $gte: start, $lt: end } },
      ],
      ...(productId ? { product: productId } : {}),
      ...(filters.state ? { state: filters.state } : {}),
    },
    { populate: ['product', 'request'], fields: ['*', 'product.label', 'request.reference'], orderBy: { createdAt: 'desc', id: 'asc' }, limit: TREASURY_LIMIT + 1 },
  );
  const truncated = found.length > TREASURY_LIMIT;
  const payments = found.slice(0, TREASURY_LIMIT).map((p): TreasuryPayment => {
    const at = p.paidAt ?? p.createdAt;
    return {
      id: p.id,
      day: dayIn(at, timeZone),
      at: at.toISOString(),
      state: p.state,
      providerId: p.providerId ?? undefined,
      reference: p.reference,
      amount: p.amount,
      authorisation: p.authorisation ?? undefined,
      transactionDate: p.transactionDate ?? undefined,
      transactionTime: p.transactionTime ?? undefined,
      product: p.product?.label,
      quantity: p.quantity,
      requestReference: p.request?.reference,
    };
  });
  payments.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id.localeCompare(b.id)));
  const byDay = new Map<string, TreasuryDay>();
  for (const payment of payments) {
    let day = byDay.get(payment.day);
    if (!day) byDay.set(payment.day, (day = { day: payment.day, count: 0, paidCount: 0, paidAmount: 0, payments: [] }));
    day.count += 1;
    day.payments.push(payment);
    if (payment.state === 'paid') {
      day.paidCount += 1;
      day.paidAmount += payment.amount;
    }
  }
  const days = [...byDay.values()];
  const totals = days.reduce((sum, d) => ({ count: sum.count + d.count, paidCount: sum.paidCount + d.paidCount, paidAmount: sum.paidAmount + d.paidAmount }), { count: 0, paidCount: 0, paidAmount: 0 });
  return { filters, days, totals, truncated, timeZone };
}

/** Cents as a French decimal amount, without the currency sign: 1234 → "12,34". */
export function euros(cents: number): string {
  return `${Math.trunc(cents / 100)},${String(Math.abs(cents) % 100).padStart(2, '0')}`;
}

/** `dattrans` DDMMYYYY and `heurtrans` HHMM as the régie reads them (JJ/MM/AAAA, HH:MM), or empty. */
function transactionOf(payment: TreasuryPayment): { date: string; time: string } {
  const d = payment.transactionDate && /^\d{8}$/.test(payment.transactionDate) ? `${payment.transactionDate.slice(0, 2)}/${payment.transactionDate.slice(2, 4)}/${payment.transactionDate.slice(4)}` : '';
  const t = payment.transactionTime && /^\d{4}$/.test(payment.transactionTime) ? `${payment.transactionTime.slice(0, 2)}:${payment.transactionTime.slice(2)}` : '';
  return { date: d, time: t };
}

/**
 * The reconciliation file: one line per payment of the report (paid ones unless the filters name a state), with
 * PayFiP's idOp, refdet, amount, date and time, numauto, the product and the request; `;` and a BOM for French
 * spreadsheets.
 */
export function reconciliationCsv(report: TreasuryReport): { csv: string; rows: number } {
  const { timeZone } = report;
  const wanted = report.filters.state ?? 'paid';
  // Built once for the file, not per payment.
  const dayFormat = new Intl.DateTimeFormat('fr-FR', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const timeFormat = new Intl.DateTimeFormat('fr-FR', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const lines = report.days
    .flatMap((d) => d.payments)
    .filter((p) => p.state === wanted)
    .map((p) => {
      const transaction = transactionOf(p);
      const at = new Date(p.at);
      const local = dayFormat.format(at);
      const hour = timeFormat.format(at);
      return [p.providerId ?? '', p.reference, euros(p.amount), transaction.date || local, transaction.time || hour.slice(0, 5), p.authorisation ?? '', p.product ?? '', String(p.quantity), p.requestReference ?? '', PAYMENT_STATE_LABELS[p.state]];
    });
  const csv = spreadsheetCsv(lines, ['idOp', 'refdet', 'montant (EUR)', 'date', 'heure', 'numauto', 'produit', 'quantité', 'référence de la demande', 'état']);
  return { csv, rows: lines.length };
}
