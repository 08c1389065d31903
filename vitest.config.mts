import { defineConfig } from 'vitest/config';

// Four projects, one per kind of test, so a quick loop can run just one of them
// (`npm run test:unit`, or `vitest run --project integration`). Native addons (better-sqlite3)
// and real sockets: every file runs in its own process.
const kinds = {
  unit: 'test/unit/**/*.test.ts',
  integration: 'test/integration/**/*.test.ts',
  browser: 'test/e2e/**/*.test.ts',
  electron: 'test/electron/**/*.test.ts',
};

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: true,
    maxWorkers: 2,
    projects: Object.entries(kinds).map(([name, include]) => ({
      extends: true,
      test: { name, include: [include] },
    })),
  },
});
