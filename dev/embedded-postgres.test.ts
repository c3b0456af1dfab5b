import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Exit status of a Node process that loads the embedded server's module and then runs `script`. */
function exitStatus(script: string): number | null {
  const code = `await import(${JSON.stringify(new URL('./embedded-postgres.ts', import.meta.url).href)}); ${script}`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: 'ignore' }).status;
}

describe('a script that loads the embedded PostgreSQL server', () => {
  it('exits with the code it set, despite embedded-postgres’s exit hook', () => {
    expect(exitStatus('process.exitCode = 3;')).toBe(3);
    expect(exitStatus('')).toBe(0);
    expect(exitStatus('process.exitCode = 3; process.exit(0);')).toBe(0);
  });
});
