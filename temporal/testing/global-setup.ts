import path from 'node:path';
import { startStack } from './stack';

/** Starts the real services integration tests need; RELAIS_UNIT_ONLY=1 skips them. */
export default async function setup(): Promise<void | (() => Promise<void>)> {
  if (process.env.RELAIS_UNIT_ONLY === '1') return;
  const stack = await startStack({
    prefix: 'relais-test-',
    extraEnv: (dir) => ({ RELAIS_TEST_DIR: dir, EXPORT_DIR: path.join(dir, 'exports') }),
  });
  return stack.stop;
}
