import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { HISTORIES_DIR } from './testing/histories';
import { bundleWorkflows } from './worker';

const files = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')) : [];

// Recorded with RELAIS_RECORD_HISTORIES=1 from the workflow tests; a change that breaks determinism fails here.
describe('replay of recorded request workflow histories', () => {
  let bundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    bundle = await bundleWorkflows();
  });

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));
    await expect(Worker.runReplayHistory({ workflowBundle: bundle, replayName: file }, history, `replay-${file}`)).resolves.toBeUndefined();
  });
});
