import { defineConfig } from 'vitest/config';

// Integration tests run against one real PostgreSQL per run (test/setup/global-setup.ts);
// each test file creates its own databases, so files may run in parallel. The box has
// two cores and some tests spawn the whole app, hence at most two workers.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/setup/global-setup.ts'],
    setupFiles: ['test/setup/worker-env.ts'],
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
  },
});
