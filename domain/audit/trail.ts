import type { EntityManager } from '@mikro-orm/postgresql';
import { Tenant } from '@/domain/entities';
import { query } from '@/domain/sql';
import { InputError, type FieldError } from '@/domain/validation';
import { AUDIT_ACTION_LABELS, auditActionLabel, auditOutcomeLabel } from './labels';
import { formatDateTimeWithSeconds } from '@/domain/format/french';
import { spreadsheetCsv } from '@/domain/format/spreadsheet';

/** What the audit screen filters on; every field optional. */
export interface AuditFilters {
  /** An agent's id, or 'systeme' for the entries of no agent (retention job, citizens' downloads, failed logins). */
  agent?: string;
  action?: string;
  /** First and last day (YYYY-MM-DD, both included) in the tenant's time zone. */
  from?: string;
  to?: string;
  /** A request reference: entries about that request (target) or naming it among others (anonymisations). */
  reference?: string;
  /** Keyset cursor: the page after this entry. */
  after?: string;
}

/** One line of the audit screen. */
export interface AuditTrailRow {
  id: string;
  at: string;
  agent: string | null;
  agentEmail: string | null;
  action: string;
  actionLabel: string;
  target: string | null;
  outcome: string;
  outcomeLabel: string;
  data: Record<string, unknown>;
}

/** A page of entries, newest first, and the cursor of the next one. */
export interface AuditTrailPage {
  rows: AuditTrailRow[];
  next?: string;
}

/** Entries per screen page; the CSV export takes at most AUDIT_EXPORT_LIMIT of them. */
export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_EXPORT_LIMIT = 100_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const REFERENCE = /^[A-Za-z0-9-]{1,40}$/;
const CURSOR = /^((\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** A real day PostgreSQL accepts: JavaScript would roll 30 February over to March, PostgreSQL refuses it. */
function isCalendarDay(day: string): boolean {
  if (!DAY.test(day) || day < '1970-01-01') return false;
  const parsed = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day;
}

/** A cursor this module wrote: an instant PostgreSQL reads back exactly, and an entry id. */
function isCursor(value: string): boolean {
  const match = CURSOR.exec(value);
  return Boolean(match && isCalendarDay(match[2]) && Number(match[3]) < 24 && Number(match[4]) < 60 && Number(match[5]) < 60);
}

/** The filters of a query string (`agent`, `action`, `du`, `au`, `demande`, `apres`), with French field errors. */
export function parseAuditFilters(params: URLSearchParams | Record<string, string | string[] | undefined>): AuditFilters {
  const get = (name: string) => {
    const value = params instanceof URLSearchParams ? params.get(name) : params[name];
    const single = (Array.isArray(value) ? value[0] : value)?.trim();
    return single || undefined;
  };
  const errors: FieldError[] = [];
  const filters: AuditFilters = { agent: get('agent'), action: get('action'), from: get('du'), to: get('au'), reference: get('demande'), after: get('apres') };
  if (filters.agent && filters.agent !== 'systeme' && !UUID.test(filters.agent)) errors.push({ path: '/agent', message: 'Agent inconnu.' });
  if (filters.action && !(filters.action in AUDIT_ACTION_LABELS)) errors.push({ path: '/action', message: 'Action inconnue.' });
  for (const [key, path, label] of [['from', '/du', 'début'], ['to', '/au', 'fin']] as const) {
    const day = filters[key];
    if (day && !isCalendarDay(day)) errors.push({ path, message: `Date de ${label} invalide (AAAA-MM-JJ).` });
  }
  if (!errors.length && filters.from && filters.to && filters.from > filters.to) errors.push({ path: '/au', message: 'La date de fin doit suivre la date de début.' });
  if (filters.reference && !REFERENCE.test(filters.reference)) errors.push({ path: '/demande', message: 'Référence de demande invalide.' });
  if (filters.after && !isCursor(filters.after)) errors.push({ path: '/apres', message: 'Page invalide : revenez à la première page.' });
  if (errors.length) throw new InputError(errors);
  return filters;
}

/** The filters as a query string (the screen's links and its CSV link keep them). */
export function auditFilterQuery(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const entries = Object.entries({ agent: filters.agent, action: filters.action, du: filters.from, au: filters.to, demande: filters.reference, ...extra });
  return new URLSearchParams(entries.filter((e): e is [string, string] => Boolean(e[1]))).toString();
}

async function select(em: EntityManager, tenantId: string, filters: AuditFilters, limit: number) {
  const zone = await em.getRepository(Tenant).timeZoneOf(tenantId);
  const where = ['l.tenant_id = ?'];
  const params: unknown[] = [tenantId];
  const add = (condition: string, ...values: unknown[]) => {
    where.push(condition);
    params.push(...values);
  };
  if (filters.agent === 'systeme') add('l.agent_id is null');
  else if (filters.agent) add('l.agent_id = ?', filters.agent);
  if (filters.action) add('l.action = ?', filters.action);
  if (filters.from) add('l.at >= (?::date)::timestamp at time zone ?', filters.from, zone);
  if (filters.to) add('l.at < ((?::date) + 1)::timestamp at time zone ?', filters.to, zone);
  if (filters.reference) add(`(l.target = ? or l.data @> jsonb_build_object('references', jsonb_build_array(?::text)))`, filters.reference, filters.reference);
  const cursor = filters.after ? CURSOR.exec(filters.after) : null;
  if (cursor) add('(l.at, l.id) < (?::timestamptz, ?::uuid)', cursor[1], cursor[6]);
  return query<{ id: string; at_key: string; agent: string | null; agent_email: string | null; action: string; target: string | null; outcome: string; data: Record<string, unknown> }>(
    em,
    `select l.id, to_char(l.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_key, a.name as agent, a.email as agent_email, l.action, l.target, l.outcome, l.data
       from audit_log l left join agent a on a.id = l.agent_id and a.tenant_id = l.tenant_id
      where ${where.join(' and ')} order by l.at desc, l.id desc limit ?`,
    [...params, limit],
  );
}

function toRow(r: Awaited<ReturnType<typeof select>>[number]): AuditTrailRow {
  return {
    id: r.id,
    at: r.at_key,
    agent: r.agent,
    agentEmail: r.agent_email,
    action: r.action,
    actionLabel: auditActionLabel(r.action),
    target: r.target,
    outcome: r.outcome,
    outcomeLabel: auditOutcomeLabel(r.action, r.outcome),
    data: r.data,
  };
}

/** A page of the tenant's audit trail, newest first; `next` is the cursor of the following page when there is one. */
export async function listAuditTrail(em: EntityManager, tenantId: string, filters: AuditFilters, pageSize = AUDIT_PAGE_SIZE): Promise<AuditTrailPage> {
  const rows = await select(em, tenantId, filters, pageSize + 1);
  const page = rows.slice(0, pageSize).map(toRow);
  const last = rows.length > pageSize ? rows[pageSize - 1] : undefined;
  return { rows: page, ...(last ? { next: `${last.at_key}|${last.id}` } : {}) };
}

/** The agents of the tenant, for the "who" filter. */
export async function auditAgents(em: EntityManager, tenantId: string): Promise<Array<{ id: string; name: string }>> {
  return query(em, 'select id, name from agent where tenant_id = ? order by name', [tenantId]);
}

/** The filtered entries (from the first page, whatever the cursor) as a CSV file for French spreadsheets. */
export async function auditTrailCsv(em: EntityManager, tenantId: string, filters: AuditFilters): Promise<{ csv: string; rows: number }> {
  const rows = (await select(em, tenantId, { ...filters, after: undefined }, AUDIT_EXPORT_LIMIT)).map(toRow);
  const timeZone = await em.getRepository(Tenant).timeZoneOf(tenantId);
  const csv = spreadsheetCsv(
    rows.map((r) => [formatDateTimeWithSeconds(new Date(r.at), timeZone), r.agent ?? 'Système', r.agentEmail ?? '', r.actionLabel, r.action, r.target ?? '', r.outcomeLabel, JSON.stringify(r.data)]),
    ['date', 'agent', 'adresse de l’agent', 'action', 'code de l’action', 'cible', 'résultat', 'détails'],
  );
  return { csv, rows: rows.length };
}
