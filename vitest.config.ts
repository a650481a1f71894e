import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    reporters: ['default', './tests/setup/summary-reporter.ts'],
    // Integration suites share one set of local services (S3, DynamoDB Local, Bedrock emulator),
    // started once for the run on free loopback ports and stopped after.
    globalSetup: ['tests/setup/global-services.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // 2 cores here: more workers only fight over them (and over the JVM of DynamoDB Local).
    maxWorkers: 2,
    fileParallelism: true,
  },
});
