import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native addons: each test file runs in its own child process, never in a worker
    // thread shared with other files (DESIGN.md "Traps").
    pool: 'forks',
    setupFiles: ['test/setup/fd-leak.ts'],
    // The default output, then the list of skipped tests and why (an absent optional peer).
    reporters: ['default', './test/helpers/skip-reporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
