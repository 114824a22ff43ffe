import { defineConfig } from 'vitest/config';

// `npm run test:browser`: the tests that drive Debian's Chromium (playwright-core with executablePath). `npm test`
// (vitest.config.ts) leaves them out, so it runs without a browser.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
