import fs from 'node:fs/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';

/** Where recorded histories of the request workflow live; the replay test runs every file there. */
export const HISTORIES_DIR = path.join('workflows', 'request', 'histories');

/** Recorded histories of the monthly quality report workflows. */
export const QUALITY_REPORT_HISTORIES_DIR = path.join('workflows', 'quality-report', 'histories');

/** Recorded histories of the GDPR retention workflow. */
export const RETENTION_HISTORIES_DIR = path.join('workflows', 'retention', 'histories');

/** Recorded histories of the process workflow (its tests' runs, with recording activities). */
export const PROCESS_HISTORIES_DIR = path.join('workflows', 'process', 'histories');

/** Recorded histories of the subscription confirmation workflow. */
export const SUBSCRIPTION_HISTORIES_DIR = path.join('workflows', 'subscriptions', 'histories');

/** Recorded histories of the campaign workflow. */
export const CAMPAIGN_HISTORIES_DIR = path.join('workflows', 'campaigns', 'histories');

/** Every folder of recorded histories the replay test runs. */
export const HISTORY_DIRS = [HISTORIES_DIR, QUALITY_REPORT_HISTORIES_DIR, RETENTION_HISTORIES_DIR, PROCESS_HISTORIES_DIR, SUBSCRIPTION_HISTORIES_DIR, CAMPAIGN_HISTORIES_DIR];

/** Saves a workflow's history for replay tests when RELAIS_RECORD_HISTORIES=1 (run once after a workflow change). */
export async function keepHistory(name: string, handle: WorkflowHandle, dir = HISTORIES_DIR): Promise<void> {
  if (process.env.RELAIS_RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  await fs.mkdir(dir, { recursive: true });
  // The proto classes' own toJSON: historyToJSON trips on a second protobufjs copy in @temporalio/common. Stack traces
  // of refused updates name the checkout's folder: they are kept relative, so no machine's path enters the repository.
  const json = JSON.stringify(history, null, 1).replaceAll(`${process.cwd()}${path.sep}`, '');
  await fs.writeFile(path.join(dir, `${name}.json`), json);
}

/** Every history file in a folder and its sub-folders (earlier recordings are kept in dated sub-folders). */
export function historyFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.sort().flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return historyFiles(file);
    return name.endsWith('.json') ? [file] : [];
  });
}

const PATCH_CALL = /\b(?:patched|deprecatePatch)\(\s*(['"`])([^'"`]+)\1\s*\)/g;

/** The patch ids a workflow folder's source uses, from its `patched('…')` and `deprecatePatch('…')` calls. */
export function patchIdsInSources(workflowDir: string): string[] {
  const ids = new Set<string>();
  for (const name of readdirSync(workflowDir)) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    for (const match of readFileSync(path.join(workflowDir, name), 'utf8').matchAll(PATCH_CALL)) ids.add(match[2]);
  }
  return [...ids].sort();
}

interface RecordedEvent {
  markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: Array<{ data?: string }> }> };
}

/** The patch ids a recorded history holds: core writes each as a `core_patch` marker whose `patch-data` payload is `{"id":…}`. */
export function patchIdsInHistory(file: string): string[] {
  const { events = [] } = JSON.parse(readFileSync(file, 'utf8')) as { events?: RecordedEvent[] };
  return events.flatMap(({ markerRecordedEventAttributes: marker }) => {
    if (marker?.markerName !== 'core_patch') return [];
    return (marker.details?.['patch-data']?.payloads ?? []).map((p) => (JSON.parse(Buffer.from(p.data ?? '', 'base64').toString('utf8')) as { id: string }).id);
  });
}
