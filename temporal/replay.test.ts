import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { HISTORIES_DIR, HISTORY_DIRS, historyFiles, patchIdsInHistory, patchIdsInSources } from './testing/histories';
import { bundleWorkflows } from './worker';

const files = HISTORY_DIRS.flatMap(historyFiles);

// Recorded with RELAIS_RECORD_HISTORIES=1 from the workflow tests; a change that breaks determinism fails here.
describe('replay of recorded workflow histories', () => {
  let bundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    bundle = await bundleWorkflows();
  });

  it('has recorded histories to replay', () => {
    expect(historyFiles(HISTORIES_DIR).length).toBeGreaterThanOrEqual(4);
  });

  // A patch no history takes is a branch of workflow code that replay never checks.
  it.each(HISTORY_DIRS)('has a history in %s for every patch id the workflow uses', (dir) => {
    const recorded = new Set(historyFiles(dir).flatMap(patchIdsInHistory));
    const unrecorded = patchIdsInSources(path.dirname(dir)).filter((id) => !recorded.has(id));
    expect(unrecorded, 'record the histories again: RELAIS_RECORD_HISTORIES=1 npx vitest run workflows activities/documents').toEqual([]);
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(file, 'utf8')));
    const name = path.basename(file);
    await expect(Worker.runReplayHistory({ workflowBundle: bundle, replayName: name }, history, `replay-${name}`)).resolves.toBeUndefined();
  });
});
