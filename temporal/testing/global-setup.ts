import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { bundleProfileWorkflow, PROFILE_BUNDLE_ENV } from './profiles';
import { startStack, TEMPORAL_METRICS_ENV } from './stack';

/** Starts the real services integration tests need; RELAIS_UNIT_ONLY=1 skips them. */
export default async function setup(): Promise<void | (() => Promise<void>)> {
  if (process.env.RELAIS_UNIT_ONLY === '1') {
    // What the stack would set for code that signs or fingerprints (startStack sets its own otherwise).
    process.env.RELAIS_SECRET ??= randomBytes(32).toString('hex');
    return;
  }
  // Bundled while the services start, once for every test file that runs activities under their workflow profile.
  const [stack, bundle] = await Promise.all([
    startStack({
      prefix: 'relais-test-',
      extraEnv: (dir) => ({ RELAIS_TEST_DIR: dir, EXPORT_DIR: path.join(dir, 'exports') }),
    }),
    bundleProfileWorkflow(),
  ]);
  const codePath = path.join(stack.dir, 'profile-workflow.js');
  await fs.writeFile(codePath, bundle.code);
  process.env[PROFILE_BUNDLE_ENV] = codePath;
  process.env[TEMPORAL_METRICS_ENV] = stack.temporalMetricsUrl;
  return stack.stop;
}
