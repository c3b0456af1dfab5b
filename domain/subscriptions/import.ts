import { parse } from 'csv-parse/sync';
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { tryParsePhone } from '@/domain/contact/phone';
import { SubscriptionList, type SubscriptionChannel } from '@/domain/entities';
import { FORBIDDEN_CHARACTERS } from '@/domain/intake/text';
import { query } from '@/domain/sql';
import { InputError } from '@/domain/validation';
import { recordEvent, upsertSubscriber } from './subscriptions';
import { formatNumber } from '@/domain/format/french';

/** Largest file the import reads (about 50,000 lines). */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
/** Most lines one import takes. */
export const MAX_IMPORT_LINES = 50_000;
/** Most errors a report lists; past them, one line says how many more there are. */
const MAX_REPORTED_ERRORS = 500;

/** One problem of the file: its line (1 is the header), the column, and what is wrong, in French. */
export interface ImportError {
  line: number;
  field: string;
  message: string;
}

/** What an import did, or would do. */
export interface ImportReport {
  /** Data lines read (the header not counted). */
  lines: number;
  /** Subscriptions made active by this import. */
  imported: number;
  /** Addresses already active on the list: their earlier consent is kept. */
  alreadyActive: number;
  errors: ImportError[];
  /** Errors beyond those listed. */
  moreErrors: number;
  /** False when the file had errors and the agent did not choose to import its valid lines: nothing was written. */
  committed: boolean;
}

/** An import asked by an administrator. */
export interface ImportRequest {
  tenantId: string;
  agentId: string;
  list: string;
  csv: string;
  fileName?: string;
  /** Import the valid lines of a file that has errors (otherwise nothing is imported from it). */
  importValidLines?: boolean;
}

interface ValidLine {
  line: number;
  channel: SubscriptionChannel;
  address: string;
  consentAt: Date;
  source: string;
}

const COLUMNS: Record<string, 'email' | 'phone' | 'consent' | 'source'> = {
  email: 'email',
  courriel: 'email',
  mail: 'email',
  telephone: 'phone',
  mobile: 'phone',
  phone: 'phone',
  date_consentement: 'consent',
  consentement: 'consent',
  consent_date: 'consent',
  source: 'source',
  origine: 'source',
};

const FIELD_LABELS = { email: 'email', phone: 'telephone', consent: 'date_consentement', source: 'source' } as const;
const EMAIL = /^[^\s@<>()[\],;:"]{1,64}@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]{2,}$/;

function normaliseHeader(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** `2024-03-15`, `2024-03-15T10:00:00Z` or `15/03/2024`; undefined for anything else or an impossible date. */
export function parseConsentDate(value: string): Date | undefined {
  const text = value.trim();
  const french = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  const iso = french ? `${french[3]}-${french[2]}-${french[1]}` : text;
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(iso)) return undefined;
  const date = new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso.slice(0, 10)) return undefined;
  return date;
}

/**
 * Reads and checks a subscribers file: a header line naming `email` and/or `telephone`, `date_consentement` and
 * `source`, separated by `;` or `,`. Every problem is reported with its line and column.
 */
export function checkSubscriberFile(csv: string, channels: readonly SubscriptionChannel[]): { valid: ValidLine[]; errors: ImportError[]; lines: number } {
  const errors: ImportError[] = [];
  if (Buffer.byteLength(csv, 'utf8') > MAX_IMPORT_BYTES) return { valid: [], lines: 0, errors: [{ line: 0, field: '', message: 'Le fichier est trop volumineux (5 Mo au plus).' }] };
  let records: string[][];
  // The file line each record ends on (spreadsheets may leave empty lines, and a quoted cell may hold line breaks).
  let recordLines: number[];
  // csv-parse counts a CR LF inside a quoted cell as two lines: a line it reports never goes past the file's last one.
  const physical = csv.split(/\r\n|\r|\n/).length;
  try {
    const firstLine = csv.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
    const delimiter = (firstLine.match(/;/g)?.length ?? 0) >= (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
    // With `info`, each record comes with where it was read; the library's types do not follow that option.
    const parsed = parse(csv, {
      delimiter,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      max_record_size: 10_000,
      to: MAX_IMPORT_LINES + 2,
      info: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    records = parsed.map((entry) => entry.record);
    recordLines = parsed.map((entry) => Math.min(entry.info.lines, physical));
  } catch (error) {
    const line = Math.min((error as { lines?: number }).lines ?? 0, physical);
    return { valid: [], lines: 0, errors: [{ line, field: '', message: 'Le fichier n’est pas un CSV lisible (guillemets non fermés ou ligne trop longue).' }] };
  }
  if (records.length === 0) return { valid: [], lines: 0, errors: [{ line: 1, field: '', message: 'Le fichier est vide.' }] };
  const headerLine = recordLines[0];
  if (records.length > MAX_IMPORT_LINES + 1) return { valid: [], lines: records.length - 1, errors: [{ line: 0, field: '', message: `Le fichier dépasse ${formatNumber(MAX_IMPORT_LINES)} lignes : découpez-le.` }] };
  const header = records[0].map((name) => COLUMNS[normaliseHeader(name)]);
  const has = (column: string) => header.includes(column as never);
  if (!has('email') && !has('phone')) errors.push({ line: headerLine, field: '', message: 'L’en-tête doit nommer une colonne email ou telephone.' });
  if (!has('consent')) errors.push({ line: headerLine, field: '', message: 'L’en-tête doit nommer la colonne date_consentement.' });
  if (!has('source')) errors.push({ line: headerLine, field: '', message: 'L’en-tête doit nommer la colonne source.' });
  if (errors.length) return { valid: [], lines: records.length - 1, errors };

  const valid: ValidLine[] = [];
  const seen = new Map<string, number>();
  const now = Date.now();
  records.slice(1).forEach((record, index) => {
    const line = recordLines[index + 1];
    const cell = (column: keyof typeof FIELD_LABELS) => {
      const at = header.indexOf(column);
      return at >= 0 ? (record[at] ?? '') : '';
    };
    const lineErrors: ImportError[] = [];
    const fail = (column: keyof typeof FIELD_LABELS, message: string) => lineErrors.push({ line, field: FIELD_LABELS[column], message });
    if (record.length !== records[0].length) lineErrors.push({ line, field: '', message: `La ligne compte ${record.length} colonnes au lieu de ${records[0].length}.` });
    for (const column of Object.keys(FIELD_LABELS) as Array<keyof typeof FIELD_LABELS>) {
      if (FORBIDDEN_CHARACTERS.test(cell(column))) fail(column, 'Caractères de contrôle interdits.');
    }
    const email = cell('email').toLowerCase();
    const phoneText = cell('phone');
    const addresses: Array<{ channel: SubscriptionChannel; address: string }> = [];
    if (!email && !phoneText) fail(has('email') ? 'email' : 'phone', 'Indiquez une adresse e-mail ou un numéro de mobile.');
    if (email) {
      if (email.length > 254 || !EMAIL.test(email)) fail('email', 'Adresse e-mail invalide.');
      else if (!channels.includes('email')) fail('email', 'Cette liste n’est pas proposée par courriel.');
      else addresses.push({ channel: 'email', address: email });
    }
    if (phoneText) {
      const phone = phoneText.length <= 40 ? tryParsePhone(phoneText) : undefined;
      if (!phone) fail('phone', 'Numéro de téléphone invalide.');
      else if (!channels.includes('sms')) fail('phone', 'Cette liste n’est pas proposée par SMS.');
      else addresses.push({ channel: 'sms', address: phone });
    }
    const consentText = cell('consent');
    const consentAt = consentText ? parseConsentDate(consentText) : undefined;
    if (!consentText) fail('consent', 'La date du consentement est obligatoire.');
    else if (!consentAt) fail('consent', 'Date invalide : écrivez-la 2024-03-15 ou 15/03/2024.');
    else if (consentAt.getTime() > now + 24 * 3600_000) fail('consent', 'La date du consentement est dans le futur.');
    const source = cell('source');
    if (!source) fail('source', 'Indiquez la source du consentement (formulaire papier, site web, accueil…).');
    else if (source.length > 200) fail('source', 'La source compte 200 caractères au plus.');
    for (const { channel, address } of addresses) {
      const key = `${channel}:${address}`;
      const first = seen.get(key);
      if (first !== undefined) fail(channel === 'email' ? 'email' : 'phone', `Adresse déjà présente ligne ${first}.`);
      else seen.set(key, line);
    }
    if (lineErrors.length) errors.push(...lineErrors);
    else for (const { channel, address } of addresses) valid.push({ line, channel, address, consentAt: consentAt!, source });
  });
  return { valid, errors, lines: records.length - 1 };
}

/**
 * Imports subscribers into a list with the consent each line records (date and source; the file, line and agent are
 * kept as proof). A file with errors imports nothing unless `importValidLines`; an address that left the list or sent
 * STOP after the consent date is an error, never re-subscribed.
 */
export async function importSubscribers(em: EntityManager, request: ImportRequest): Promise<ImportReport> {
  const list = await em.getRepository(SubscriptionList).bySlug(request.tenantId, request.list);
  if (!list) throw new InputError([{ path: '/liste', message: `Liste inconnue : « ${request.list} ».` }]);
  const checked = checkSubscriberFile(request.csv, list.channels);
  const errors = [...checked.errors];
  const outcome = await em.transactional(async (tx) => {
    const fresh: ValidLine[] = [];
    let alreadyActive = 0;
    for (const line of checked.valid) {
      const [state] = await query<{ status: string; unsubscribed_at: Date | null; opted_out_at: Date | null }>(
        tx,
        `select s.status, s.unsubscribed_at, o.created_at as opted_out_at
           from (select 1) one
           left join subscriber p on p.tenant_id = ? and p.channel = ? and p.address = ?
           left join subscription s on s.subscriber_id = p.id and s.list_id = ?
           left join sms_opt_out o on ? = 'sms' and o.tenant_id = ? and o.phone = ?`,
        [request.tenantId, line.channel, line.address, list.id, line.channel, request.tenantId, line.address],
      );
      const field = line.channel === 'email' ? 'email' : 'telephone';
      if (state?.status === 'active') alreadyActive += 1;
      else if (state?.unsubscribed_at && new Date(state.unsubscribed_at) > line.consentAt)
        errors.push({ line: line.line, field, message: 'Cette adresse s’est désabonnée après la date du consentement : elle n’est pas réinscrite.' });
      else if (state?.opted_out_at && new Date(state.opted_out_at) > line.consentAt)
        errors.push({ line: line.line, field, message: 'Ce numéro a envoyé STOP après la date du consentement : il n’est pas réinscrit.' });
      else fresh.push(line);
    }
    const committed = errors.length === 0 || request.importValidLines === true;
    if (!committed) return { imported: 0, alreadyActive, committed };
    for (const line of fresh) {
      const subscriberId = await upsertSubscriber(tx, request.tenantId, line.channel, line.address);
      const proof = { via: 'import', source: line.source, fileName: request.fileName ?? null, line: line.line, agentId: request.agentId, importedAt: new Date().toISOString() };
      const [row] = await query<{ id: string }>(
        tx,
        `insert into subscription (id, tenant_id, subscriber_id, list_id, status, consent_at, consent_method, consent_proof)
         values (gen_random_uuid(), ?, ?, ?, 'active', ?, 'import', ?)
         on conflict (subscriber_id, list_id) do update set status = 'active', consent_at = excluded.consent_at, consent_method = 'import',
           consent_proof = excluded.consent_proof, unsubscribed_at = null, unsubscribed_via = null, updated_at = now()
         returning id`,
        [request.tenantId, subscriberId, list.id, line.consentAt, JSON.stringify(proof)],
      );
      // A consent given after a STOP is a new consent to information SMS.
      if (line.channel === 'sms') await query(tx, 'delete from sms_opt_out where tenant_id = ? and phone = ? and created_at < ?', [request.tenantId, line.address, line.consentAt]);
      await recordEvent(tx, request.tenantId, row.id, 'confirmed', 'import', { ...proof, consentAt: line.consentAt.toISOString() });
    }
    await writeAudit(tx, {
      tenantId: request.tenantId,
      agentId: request.agentId,
      action: 'subscribers.import',
      target: list.slug,
      data: { fileName: request.fileName ?? null, lines: checked.lines, imported: fresh.length, alreadyActive, errors: errors.length },
    });
    return { imported: fresh.length, alreadyActive, committed };
  });
  errors.sort((a, b) => a.line - b.line);
  return { lines: checked.lines, ...outcome, errors: errors.slice(0, MAX_REPORTED_ERRORS), moreErrors: Math.max(0, errors.length - MAX_REPORTED_ERRORS) };
}
