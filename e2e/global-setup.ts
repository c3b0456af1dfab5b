import { startStack } from '@/temporal/testing/stack';

/** Starts the whole stack for browser tests: database, Temporal, mail sink, SMSC simulator, worker and the built web app. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const stack = await startStack({ prefix: 'relais-e2e-', web: {}, log: (line) => console.log(`[e2e] ${line}`) });
  process.env.E2E_BASE_URL = stack.baseUrl;
  return stack.stop;
}
