import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One convention everywhere: `test/` beside `src/` mirrors it with unit tests, and
    // `test/integration/` holds the tests that start real servers (the DynamoDB stand-in, the local
    // stack, Chromium, Terraform, moto).
    // The behaviour suite (tools/behaviour/suite) runs here against the local stack, and against a
    // deployed stack with `npm run test:deployed`.
    include: [
      '{backend,contract,frontend,scripts,tools/*}/test/**/*.test.ts',
      'tools/behaviour/suite/**/*.test.ts',
    ],
    // Lambda runs the function on one Node.js major version (contract.json): no test may pass on
    // another, so a run started on one stops here, before any test.
    globalSetup: ['tools/checks/src/lambda-node.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
