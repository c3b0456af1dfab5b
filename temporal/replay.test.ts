import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { HISTORIES_DIR, HISTORY_DIRS } from './testing/histories';
import { bundleWorkflows } from './worker';

const histories = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)) : []);
const files = HISTORY_DIRS.flatMap(histories);

// Recorded with RELAIS_RECORD_HISTORIES=1 from the workflow tests; a change that breaks determinism fails here.
describe('replay of recorded workflow histories', () => {
  let bundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    bundle = await bundleWorkflows();
  });

  it('has recorded histories to replay', () => {
    expect(histories(HISTORIES_DIR).length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(file, 'utf8')));
    const name = path.basename(file);
    await expect(Worker.runReplayHistory({ workflowBundle: bundle, replayName: name }, history, `replay-${name}`)).resolves.toBeUndefined();
  });
});
