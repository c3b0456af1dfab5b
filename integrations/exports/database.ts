import pg from 'pg';
import { ApplicationFailure } from '@temporalio/activity';
import type { ExportRecord } from './file-drop';

/**
 * Columns the target table must have (the business software owns it):
 * `reference text unique, commune text, formulaire text, version int, depose_le timestamptz, donnees jsonb, exporte_le timestamptz default now()`.
 */
export const EXPORT_TABLE_DDL = (table: string) =>
  `create table if not exists ${table} (reference text primary key, commune text not null, formulaire text not null, version int, depose_le timestamptz not null, donnees jsonb not null, exporte_le timestamptz not null default now())`;

const TABLE_NAME = /^(?:[a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/;

/** A quoted table identifier, or a non-retryable failure for a name that is not a plain (schema.)table. */
export function quoteTable(table: string): string {
  if (!TABLE_NAME.test(table)) throw ApplicationFailure.create({ message: `Invalid export table name ${table}`, type: 'ExportMisconfigured', nonRetryable: true });
  return table.split('.').map((part) => `"${part}"`).join('.');
}

/** PostgreSQL error classes that retrying cannot fix: bad data (22), constraints (23), missing table / column, rights (42). */
function permanent(code: string | undefined): boolean {
  return code !== undefined && /^(22|23|42)/.test(code);
}

/** Connection pools to export databases, one per URL and worker process. */
export function createExportDatabases() {
  const pools = new Map<string, pg.Pool>();
  const pool = (url: string) => {
    let p = pools.get(url);
    if (!p) {
      p = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
      p.on('error', () => undefined);
      pools.set(url, p);
    }
    return p;
  };

  /** Inserts the record once: `on conflict (reference) do nothing` makes a retry harmless. Returns whether a row was added. */
  async function insertRecord(url: string, table: string, record: ExportRecord): Promise<boolean> {
    const target = quoteTable(table);
    try {
      const result = await pool(url).query(
        `insert into ${target} (reference, commune, formulaire, version, depose_le, donnees) values ($1, $2, $3, $4, $5, $6) on conflict (reference) do nothing`,
        [record.reference, record.tenant, record.form, record.formVersion, record.submittedAt, JSON.stringify(record.data)],
      );
      return (result.rowCount ?? 0) > 0;
    } catch (cause) {
      const code = (cause as { code?: string }).code;
      throw ApplicationFailure.create({
        message: `Export to ${table} failed: ${(cause as Error).message}`,
        type: permanent(code) ? 'ExportRejected' : 'ExportReceiverUnavailable',
        nonRetryable: permanent(code),
        cause: cause as Error,
      });
    }
  }

  async function close(): Promise<void> {
    const all = [...pools.values()];
    pools.clear();
    await Promise.all(all.map((p) => p.end()));
  }

  return { insertRecord, close };
}
