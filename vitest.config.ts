import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['services/**/*.test.ts', 'ingest/**/*.test.ts', 'test/**/*.test.ts', 'load-tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites that start real servers (PostgreSQL, sshd, the Kafka mock) own ports and data dirs;
    // files run in separate forks so one crash cannot take the others down.
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
