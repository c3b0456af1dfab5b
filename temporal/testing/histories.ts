import fs from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';

/** Where recorded histories of the request workflow live; the replay test runs every file there. */
export const HISTORIES_DIR = path.join('workflows', 'request', 'histories');

/** Recorded histories of the monthly quality report workflows. */
export const QUALITY_REPORT_HISTORIES_DIR = path.join('workflows', 'quality-report', 'histories');

/** Recorded histories of the GDPR retention workflow. */
export const RETENTION_HISTORIES_DIR = path.join('workflows', 'retention', 'histories');

/** Every folder of recorded histories the replay test runs. */
export const HISTORY_DIRS = [HISTORIES_DIR, QUALITY_REPORT_HISTORIES_DIR, RETENTION_HISTORIES_DIR];

/** Saves a workflow's history for replay tests when RELAIS_RECORD_HISTORIES=1 (run once after a workflow change). */
export async function keepHistory(name: string, handle: WorkflowHandle, dir = HISTORIES_DIR): Promise<void> {
  if (process.env.RELAIS_RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  await fs.mkdir(dir, { recursive: true });
  // The proto classes' own toJSON: historyToJSON trips on a second protobufjs copy in @temporalio/common.
  await fs.writeFile(path.join(dir, `${name}.json`), JSON.stringify(history, null, 1));
}
