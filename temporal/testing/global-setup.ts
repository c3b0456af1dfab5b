import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startStack } from './stack';

/** Starts the real services integration tests need; RELAIS_UNIT_ONLY=1 skips them. */
export default async function setup(): Promise<void | (() => Promise<void>)> {
  if (process.env.RELAIS_UNIT_ONLY === '1') {
    // What the stack would set for code that signs or fingerprints (startStack sets its own otherwise).
    process.env.RELAIS_SECRET ??= randomBytes(32).toString('hex');
    return;
  }
  const stack = await startStack({
    prefix: 'relais-test-',
    extraEnv: (dir) => ({ RELAIS_TEST_DIR: dir, EXPORT_DIR: path.join(dir, 'exports') }),
  });
  return stack.stop;
}
