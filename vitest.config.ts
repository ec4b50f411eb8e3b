import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Integration tests open real sockets; give slow CI machines room without
    // letting a hang go unnoticed.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Any unhandled rejection fails the run.
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
