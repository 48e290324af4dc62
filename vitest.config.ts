import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'backend/test/**/*.test.ts',
      'scripts/**/test/**/*.test.ts',
      'frontend/test/**/*.test.ts',
      'frontend/e2e/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
