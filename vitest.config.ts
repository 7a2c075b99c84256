import { defineConfig } from 'vitest/config';

// One project per test layer (see STYLE.md §7). Integration and e2e tests share one pair of emulators
// started by the global setup; each test file uses its own table/queue prefix.
export default defineConfig({
  test: {
    // Three files at once on two cores: the e2e and integration files spend most of their time waiting on
    // the local stack (timers, long polls), so a third worker shortens the run without starving the CPU.
    maxWorkers: 3,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        // The dashboard in a real browser (Debian's chromium through playwright-core) on the local stack.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
