import { defineConfig } from 'vitest/config';

// Each test file runs in its own child process: the Temporal worker loads a native addon and the
// sandboxes bind sockets, neither of which is safe to share across worker threads.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
