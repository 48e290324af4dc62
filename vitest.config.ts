import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One convention everywhere: `test/` beside `src/` mirrors it with unit tests, and
    // `test/integration/` holds the tests that start real servers (the DynamoDB stand-in, the local
    // stack, Chromium, Terraform, moto).
    include: ['{backend,contract,frontend,scripts,tools/*}/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
