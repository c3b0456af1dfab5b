import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{domain,integrations,activities,workflows,temporal,forms,processes,app,dev,scripts,bench}/**/*.test.ts'],
    globalSetup: ['./temporal/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
  resolve: {
    alias: {
      '@': new URL('.', import.meta.url).pathname,
      // Next.js resolves server-only with the react-server condition; tests run outside it.
      'server-only': new URL('./dev/empty/server-only.ts', import.meta.url).pathname,
    },
  },
});
