#!/usr/bin/env node
// Runs the TypeScript CLI with tsx from the repository this package is linked from.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const root = path.resolve(__dirname, '..', '..');
const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'relais.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: process.cwd(),
});
process.exit(result.status ?? 1);
