import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { ApplicationFailure } from '@temporalio/activity';

/** One exported record: identity columns and the form data. */
export interface ExportRecord {
  reference: string;
  tenant: string;
  form: string;
  formVersion: number | null;
  submittedAt: string;
  data: Record<string, unknown>;
}

/** Flattens nested objects into dotted columns (`adresse.commune`); lists become "a|b". */
export function flattenRecord(record: ExportRecord): Record<string, string> {
  const out: Record<string, string> = {
    reference: record.reference,
    commune: record.tenant,
    formulaire: record.form,
    version: record.formVersion === null ? '' : String(record.formVersion),
    depose_le: record.submittedAt,
  };
  const walk = (value: unknown, prefix: string) => {
    if (Array.isArray(value)) out[prefix] = value.map(String).join('|');
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    else if (value !== undefined && value !== null) out[prefix] = typeof value === 'boolean' ? (value ? 'oui' : 'non') : String(value);
  };
  walk(record.data, '');
  return out;
}

/** Resolves a connector's folder under the configured export root; refuses anything that escapes it. */
export function exportFolder(root: string, directory: string | undefined): string {
  const resolved = path.resolve(root, directory ?? '.');
  const base = path.resolve(root);
  if (resolved !== base && !resolved.startsWith(base + path.sep)) {
    throw ApplicationFailure.create({ message: `Export folder ${directory} is outside ${root}`, type: 'ExportMisconfigured', nonRetryable: true });
  }
  return resolved;
}

/**
 * Writes one request as `<reference>.csv` (header + one row, `;`-separated with a BOM for spreadsheet software in French)
 * or `<reference>.json`, atomically: a temporary file in the same folder, then a rename. A retry rewrites the same file.
 */
export async function dropExportFile(options: { folder: string; format: 'csv' | 'json'; record: ExportRecord }): Promise<string> {
  await fs.mkdir(options.folder, { recursive: true });
  const name = `${options.record.reference.replace(/[^A-Za-z0-9_-]/g, '_')}.${options.format}`;
  const target = path.join(options.folder, name);
  let content: string;
  if (options.format === 'json') {
    content = `${JSON.stringify(options.record, null, 2)}\n`;
  } else {
    const row = flattenRecord(options.record);
    content = '\ufeff' + stringify([row], { header: true, columns: Object.keys(row), delimiter: ';', record_delimiter: 'windows' });
  }
  // Dot-prefixed temporary name: business software polling the folder ignores it until the rename.
  const temporary = path.join(options.folder, `.${name}.${randomUUID()}.tmp`);
  try {
    await fs.writeFile(temporary, content, { flag: 'wx' });
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
  return target;
}
