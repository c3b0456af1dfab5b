import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { cruise, type IViolation } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = require('../.dependency-cruiser.cjs') as { forbidden: unknown[] };

// A throw-away tree laid out like the project, so each rule is seen refusing a planted import.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-import-rules-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function plant(files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
}

async function violations(): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const result = await cruise(['.'], { validate: true, ruleSet: { forbidden: config.forbidden } as never, tsPreCompilationDeps: true, exclude: { path: 'node_modules' } });
    const output = result.output as { summary: { violations: IViolation[] } };
    return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
  } finally {
    process.chdir(cwd);
  }
}

describe('import rules (.dependency-cruiser.cjs)', () => {
  it('refuse wrong-way imports and cycles, and let the right ones pass', async () => {
    plant({
      'activities/request/index.ts': "import { rule } from '../../domain/rules';\nexport const createActivities = () => rule;\n",
      'domain/rules.ts': 'export const rule = 1;\n',
      // planted: the core reaching up
      'domain/upward.ts': "import { createActivities } from '../activities/request/index';\nexport const up = createActivities;\n",
      // planted: workflow code with a Node built-in and a value import of activities
      'workflows/request/workflow.ts': "import fs from 'fs';\nimport { createActivities } from '../../activities/request/index';\nexport const w = [fs, createActivities];\n",
      // allowed: a type-only import of activities from workflow code
      'workflows/request/typed.ts': "import type { createActivities } from '../../activities/request/index';\nexport type A = typeof createActivities;\n",
      // planted: a cycle inside the domain (reported once)
      'domain/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'domain/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
      // planted: a page running SQL itself instead of calling a domain service
      'domain/sql.ts': 'export const query = 1;\n',
      'app/page.ts': "import { query } from '../domain/sql';\nexport const p = query;\n",
      // allowed: a web test setting up its data in SQL
      'app/page.test.ts': "import { query } from '../domain/sql';\nexport const t = query;\n",
      // allowed: tests reach anywhere
      'domain/rules.test.ts': "import { createActivities } from '../activities/request/index';\nexport const t = createActivities;\n",
    });
    expect(await violations()).toEqual([
      'app-no-sql: app/page.ts → domain/sql.ts',
      'domain-not-to-activities-workflows-temporal-app-dev-integrations-scripts-bench-e2e: domain/upward.ts → activities/request/index.ts',
      'no-circular: domain/a.ts → domain/b.ts',
      'workflows-no-node-built-ins: workflows/request/workflow.ts → fs',
      'workflows-to-activities-by-type-only: workflows/request/workflow.ts → activities/request/index.ts',
    ]);
  });
});
